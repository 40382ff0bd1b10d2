package bench

// SearchQueries are B7's full-text searches on Movies: names of films and
// people, single words, two words, a phrase and prefixes.
var SearchQueries = []string{
	`search "bacon"`,
	`search "kevin bacon"`,
	`search '"star wars"'`,
	`search "godfather"`,
	`search "love"`,
	`search "matrix reloaded"`,
	`search "harr*"`,
	`search "the*" limit 5`,
	`search "amélie"`,
	`search "men in black" in name limit 10`,
}

// SeedSearchQueries are B7's searches of the seed graph's evidence.
var SeedSearchQueries = []string{
	`search "Ukraine"`,
	`search "tariffs" in evidence`,
	`search weapon* in evidence, note`,
	`search '"nuclear umbrella"'`,
}

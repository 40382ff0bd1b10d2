package bench

// NetworkQueries are B10's network statements on the 30k-movie data:
// PageRank and the sampled measures over the whole graph, and statements
// that name their ends (brokers, and bridges: two maximum flows over
// the whole graph), and communities: Louvain over the whole graph, as
// many seeded runs as the work budget allows.
var NetworkQueries = []string{
	`rank by pagerank limit 10`,
	`rank by betweenness limit 10`,
	`rank by closeness limit 10`,
	`rank by degree limit 10`,
	`components limit 5`,
	`brokers between "Kevin Bacon" and "Humphrey Bogart"`,
	`bridges "Kevin Bacon" to "Humphrey Bogart"`,
	`communities limit 5`,
}

// SeedNetworkQueries are B10's network statements on the seed graph,
// where every measure is exact.
var SeedNetworkQueries = []string{
	`rank by betweenness`,
	`rank by closeness`,
	`rank by pagerank type Country`,
	`communities`,
	`bridges "North Korea" to EU`,
	`brokers between Europe and (Japan, "South Korea", India) avoid partner`,
}

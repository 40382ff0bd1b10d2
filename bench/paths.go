package bench

// Pair is two actors of the 30k-movie data set, for B3.
type Pair struct{ A, B string }

// Pairs are B3's 20 fixed actor pairs: well-known names across the
// decades, each naming exactly one node of the data set.
var Pairs = []Pair{
	{"Kevin Bacon", "Humphrey Bogart"},
	{"Tom Hanks", "Marilyn Monroe"},
	{"Keanu Reeves", "Charlie Chaplin"},
	{"Meryl Streep", "John Wayne"},
	{"Clint Eastwood", "Audrey Hepburn"},
	{"Morgan Freeman", "Grace Kelly"},
	{"Julia Roberts", "Cary Grant"},
	{"Bruce Willis", "Judy Garland"},
	{"Nicole Kidman", "Marlon Brando"},
	{"Scarlett Johansson", "Ingrid Bergman"},
	{"Jack Nicholson", "Bette Davis"},
	{"Denzel Washington", "James Stewart"},
	{"Brad Pitt", "Katharine Hepburn"},
	{"Leonardo DiCaprio", "Elizabeth Taylor"},
	{"Kate Winslet", "Gregory Peck"},
	{"Johnny Depp", "Sophia Loren"},
	{"Will Smith", "Paul Newman"},
	{"Robert De Niro", "Natalie Portman"},
	{"Al Pacino", "Sandra Bullock"},
	{"Tom Cruise", "Kevin Bacon"},
}

// PathQuery is B3's EQL statement for a pair: every shortest path over
// every link (performances, films, directors).
func PathQuery(p Pair) string { return `path "` + p.A + `" to "` + p.B + `"` }

// CoStarQuery is the pair's statement restricted to acting (actor and
// starring links), whose paths Gizmo can follow with a co-star morphism.
func CoStarQuery(p Pair) string { return PathQuery(p) + " via actor, starring" }

// CoStarGizmo is the cheapest Gizmo traversal that finds the same
// connection as CoStarQuery: Gizmo has no path search, so it follows the
// co-star morphism (actor → performance → film → performance → actor)
// hops times from one actor and checks the other is reached.
func CoStarGizmo(a, b string, hops int) string {
	return `var co = g.M().In("</film/performance/actor>").In("</film/film/starring>").Out("</film/film/starring>").Out("</film/performance/actor>");
g.V("<` + a + `>").FollowRecursive(co, ` + itoa(hops) + `).Is("<` + b + `>").All()`
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// B4's synthetic graph: entities of a few types with a name each, and
// links between them whose targets are skewed towards low numbers, so that
// a few hubs have many links and most entities few, as in real alliance
// and trade graphs. Everything is derived from the seed: the same size
// gives the same graph on every machine.

// SyntheticPerEntity is the number of quads per entity: its type, its
// name and eight outgoing links.
const SyntheticPerEntity = 10

var syntheticTypes = []string{"Country", "Organisation", "Company", "Sector"}
var syntheticRels = []string{"partner", "member_of", "supplies", "invests_in", "trade_with", "tariff_exposure"}

// SyntheticEntities is the number of entities of a synthetic graph of
// about quads quads.
func SyntheticEntities(quads int) int { return max(2, quads/SyntheticPerEntity) }

// SyntheticName is the name of entity i.
func SyntheticName(i int) string { return fmt.Sprintf("Entity %d", i) }

// WriteSynthetic writes a synthetic graph of about quads quads as
// N-Quads.
func WriteSynthetic(w io.Writer, quads int) error {
	n := SyntheticEntities(quads)
	r := rand.New(rand.NewPCG(uint64(quads), 4))
	bw := bufio.NewWriterSize(w, 1<<20)
	for i := 0; i < n; i++ {
		fmt.Fprintf(bw, "<entity:e%d> <rdf:type> <type:%s> .\n", i, syntheticTypes[i%len(syntheticTypes)])
		fmt.Fprintf(bw, "<entity:e%d> <schema:name> %q .\n", i, SyntheticName(i))
		for k := 0; k < SyntheticPerEntity-2; k++ {
			// Squaring a uniform number favours low targets: entity 0 gets
			// about sqrt(n) times the links of the median entity.
			u := r.Float64()
			j := int(u * u * float64(n))
			if j == i {
				j = (j + 1) % n
			}
			fmt.Fprintf(bw, "<entity:e%d> <rel:%s> <entity:e%d> .\n", i, syntheticRels[r.IntN(len(syntheticRels))], j)
		}
	}
	return bw.Flush()
}

// SyntheticPairs are B4's 20 pairs of a graph of n entities: drawn from
// the whole range, so that most are ordinary entities far from the hubs.
func SyntheticPairs(quads int) []Pair {
	n := SyntheticEntities(quads)
	r := rand.New(rand.NewPCG(uint64(quads), 7))
	pairs := make([]Pair, 20)
	for i := range pairs {
		a, b := r.IntN(n), r.IntN(n)
		for b == a {
			b = r.IntN(n)
		}
		pairs[i] = Pair{SyntheticName(a), SyntheticName(b)}
	}
	return pairs
}

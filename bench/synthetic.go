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
// and trade graphs. A quarter of the links are statements with a status
// qualifier, laid out as the seed graph's are (docs/data-model.md).
// Everything is derived from the size: the same size gives the same graph
// on every machine.

// SyntheticLinks is the number of outgoing links of each entity, and
// SyntheticQualified how many of them carry a statement.
const (
	SyntheticLinks     = 8
	SyntheticQualified = 2
)

// SyntheticPerEntity is the number of quads per entity: its type, its
// name, its links, and five more for each qualified link (the statement's
// type, subject, predicate, object and status).
const SyntheticPerEntity = 2 + SyntheticLinks + 5*SyntheticQualified

var syntheticTypes = []string{"Country", "Organisation", "Company", "Sector"}
var syntheticRels = []string{"partner", "member_of", "supplies", "invests_in", "trade_with", "tariff_exposure"}
var syntheticStatus = []string{"existing", "proposed", "planned"}

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
		for k := 0; k < SyntheticLinks; k++ {
			// Squaring a uniform number favours low targets: entity 0 gets
			// about sqrt(n) times the links of the median entity.
			u := r.Float64()
			j := int(u * u * float64(n))
			if j == i {
				j = (j + 1) % n
			}
			rel := syntheticRels[r.IntN(len(syntheticRels))]
			if k%(SyntheticLinks/SyntheticQualified) != 0 {
				fmt.Fprintf(bw, "<entity:e%d> <rel:%s> <entity:e%d> .\n", i, rel, j)
				continue
			}
			st := fmt.Sprintf("<stmt:e%d/%s/e%d>", i, rel, j)
			fmt.Fprintf(bw, "<entity:e%d> <rel:%s> <entity:e%d> %s .\n", i, rel, j, st)
			fmt.Fprintf(bw, "%s <rdf:type> <type:Statement> .\n", st)
			fmt.Fprintf(bw, "%s <rdf:subject> <entity:e%d> .\n", st, i)
			fmt.Fprintf(bw, "%s <rdf:predicate> <rel:%s> .\n", st, rel)
			fmt.Fprintf(bw, "%s <rdf:object> <entity:e%d> .\n", st, j)
			fmt.Fprintf(bw, "%s <q:status> %q .\n", st, syntheticStatus[r.IntN(len(syntheticStatus))])
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

package loader_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cayleygraph/quad"
	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

// seedPrelude declares a source and four entities; error cases append a
// block after it, so that their first line is line 14.
const seedPrelude = `source ecfr-2024
  title: Test source

entity japan Country "Japan"
  alias: Tokyo, JP

entity australia Country "Australia"
  alias: Canberra

entity semiconductors Sector "Semiconductors"

entity jane-doe Person "Jane Doe"

`

// ev is a valid evidence line for a relation block.
const ev = "\n  evidence: ecfr-2024 | Introduction ¶1 | A note in our words."

// validSeed is a small seed file in every feature of the format.
const validSeed = `# A comment, then a blank line.

source ecfr-2024
  title: Europe and its partners
  publisher: ECFR
  date: 2024-11
  url: https://example.org/ecfr

entity japan Country "Japan"
  alias: Tokyo, JP
  alias: "Nippon, the Land"
  description: An island state in East Asia.

entity australia Country "Australia"
	alias: Canberra

entity semiconductors Sector "Semiconductors"
  alias: chips

entity nuclear-umbrella Policy "Nuclear umbrella"

entity united-states Country "United States"
  alias: Washington, US

japan -security_pact-> australia
  status: existing
  period: since the first Trump administration
  evidence: ecfr-2024 | Japan › What Trump’s return means ¶1 | Tokyo drew closer to Canberra.
  evidence: ecfr-2024 | Japan › What Tokyo wants ¶1 | Japan looks for more partners.

japan -cooperation-> australia
  sector: chips
  status: proposed
  note: a remark
  evidence: ecfr-2024 | Introduction ¶2 | The two could work on chips.

united-states -security_guarantee-> japan
  instrument: Nuclear umbrella
  quantity: one umbrella
  rank: first
  evidence: ecfr-2024 | Japan › What Tokyo wants ¶1 | Washington shields Tokyo.

japan -trading_partner-> united-states
  id: japan-us-2017
  rank: largest
  evidence: ecfr-2024 | Japan › What Trump’s return means ¶2 | Trade in 2017.

japan -trading_partner-> united-states
  id: japan-us-2024
  evidence: ecfr-2024 | Japan › What Trump’s return means ¶2 | Trade in 2024.
`

func TestSeedValid(t *testing.T) {
	db := openMem(t)
	res := mustLoad(t, db, "valid.seed", validSeed, nil)
	if res.Files != 1 || res.Read != res.Added || res.Read == 0 || len(res.Errors) != 0 {
		t.Errorf("result %+v", res)
	}
	const (
		pact  = "stmt:japan/security_pact/australia"
		coop  = "stmt:japan/cooperation/australia/semiconductors"
		guar  = "stmt:united-states/security_guarantee/japan"
		trade = "stmt:japan/trading_partner/united-states/japan-us-2017"
	)
	japan, australia, us := iri("entity:japan"), iri("entity:australia"), iri("entity:united-states")
	wantQuads(t, db,
		// the source
		nq(iri("source:ecfr-2024"), graph.PredType, graph.TypeSource, nil),
		nq(iri("source:ecfr-2024"), graph.PredName, str("Europe and its partners"), nil),
		nq(iri("source:ecfr-2024"), graph.PredPublisher, str("ECFR"), nil),
		nq(iri("source:ecfr-2024"), graph.PredDate, str("2024-11"), nil),
		nq(iri("source:ecfr-2024"), graph.PredURL, str("https://example.org/ecfr"), nil),
		// entities: type, name, aliases (a quoted one keeps its comma), description
		nq(japan, graph.PredType, iri("type:Country"), nil),
		nq(japan, graph.PredName, str("Japan"), nil),
		nq(japan, graph.PredAlias, str("Tokyo"), nil),
		nq(japan, graph.PredAlias, str("JP"), nil),
		nq(japan, graph.PredAlias, str("Nippon, the Land"), nil),
		nq(japan, graph.PredDescription, str("An island state in East Asia."), nil),
		nq(australia, graph.PredAlias, str("Canberra"), nil), // a tab-indented detail
		nq(iri("entity:semiconductors"), graph.PredType, iri("type:Sector"), nil),
		// a relation is one quad labelled with its statement
		nq(japan, iri("rel:security_pact"), australia, iri(pact)),
		nq(iri(pact), graph.PredType, graph.TypeStatement, nil),
		nq(iri(pact), graph.PredSubject, japan, nil),
		nq(iri(pact), graph.PredPredicate, iri("rel:security_pact"), nil),
		nq(iri(pact), graph.PredObject, australia, nil),
		nq(iri(pact), iri("q:status"), str("existing"), nil),
		nq(iri(pact), iri("q:period"), str("since the first Trump administration"), nil),
		// two pieces of evidence, each named by its statement and content
		nq(iri(pact), graph.PredEvidence, evid(pact, "Japan › What Trump’s return means ¶1", "Tokyo drew closer to Canberra."), nil),
		nq(iri(pact), graph.PredEvidence, evid(pact, "Japan › What Tokyo wants ¶1", "Japan looks for more partners."), nil),
		nq(evid(pact, "Japan › What Trump’s return means ¶1", "Tokyo drew closer to Canberra."), graph.PredType, graph.TypeEvidence, nil),
		nq(evid(pact, "Japan › What Trump’s return means ¶1", "Tokyo drew closer to Canberra."), graph.PredSource, iri("source:ecfr-2024"), nil),
		nq(evid(pact, "Japan › What Trump’s return means ¶1", "Tokyo drew closer to Canberra."), graph.PredLocator, str("Japan › What Trump’s return means ¶1"), nil),
		nq(evid(pact, "Japan › What Trump’s return means ¶1", "Tokyo drew closer to Canberra."), graph.PredNote, str("Tokyo drew closer to Canberra."), nil),
		nq(evid(pact, "Japan › What Tokyo wants ¶1", "Japan looks for more partners."), graph.PredLocator, str("Japan › What Tokyo wants ¶1"), nil),
		nq(evid(pact, "Japan › What Tokyo wants ¶1", "Japan looks for more partners."), graph.PredNote, str("Japan looks for more partners."), nil),
		// a sector (named by alias) is a link and part of the statement id
		nq(japan, iri("rel:cooperation"), australia, iri(coop)),
		nq(iri(coop), iri("q:sector"), iri("entity:semiconductors"), nil),
		nq(iri(coop), iri("q:status"), str("proposed"), nil),
		nq(iri(coop), iri("q:note"), str("a remark"), nil),
		nq(iri(coop), graph.PredEvidence, evid(coop, "Introduction ¶2", "The two could work on chips."), nil),
		// an instrument (named by name) is a link too
		nq(us, iri("rel:security_guarantee"), japan, iri(guar)),
		nq(iri(guar), iri("q:instrument"), iri("entity:nuclear-umbrella"), nil),
		nq(iri(guar), iri("q:quantity"), str("one umbrella"), nil),
		nq(iri(guar), iri("q:rank"), str("first"), nil),
		// id: tells two relations of the same pair and kind apart
		nq(japan, iri("rel:trading_partner"), us, iri(trade)),
		nq(japan, iri("rel:trading_partner"), us, iri("stmt:japan/trading_partner/united-states/japan-us-2024")),
		nq(iri(trade), iri("q:rank"), str("largest"), nil),
		nq(evid(trade, "Japan › What Trump’s return means ¶2", "Trade in 2017."), graph.PredNote, str("Trade in 2017."), nil),
	)
	// Nothing else: the exact count of quads.
	if n := len(allQuads(t, db)); n != int(res.Added) {
		t.Errorf("%d quads stored, %d added", n, res.Added)
	}
	st := stats(t, db)
	if st.Entities != 5 || st.Relations != 5 {
		t.Errorf("stats %+v: want 5 entities and 5 relations", st)
	}
	for typ, n := range map[string]int64{"Country": 3, "Sector": 1, "Policy": 1} {
		if st.EntitiesByType[typ] != n {
			t.Errorf("%d %s entities, want %d", st.EntitiesByType[typ], typ, n)
		}
	}
	for kind, n := range map[string]int64{"security_pact": 1, "cooperation": 1, "security_guarantee": 1, "trading_partner": 2} {
		if st.RelationsByKind[kind] != n {
			t.Errorf("%d %s relations, want %d", st.RelationsByKind[kind], kind, n)
		}
	}
	// The entities are found by name and alias, ignoring case.
	cat, err := db.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Japan", "tokyo", "NIPPON, THE LAND", "jp"} {
		if found := cat.Lookup(name); len(found) != 1 || found[0].ID != japan {
			t.Errorf("Lookup(%q) = %v, want entity:japan", name, found)
		}
	}
	// A second load adds nothing.
	before := snapshot(t, db)
	res = mustLoad(t, db, "valid.seed", validSeed, nil)
	if res.Added != 0 || res.Read == 0 {
		t.Errorf("second load: %+v, want quads read and none added", res)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("the second load changed the store")
	}
}

// seedErrorCases are broken seed files; TestSeedErrors pins each one's
// whole message in testdata/seed_errors.golden.
var seedErrorCases = []struct{ name, src string }{
	{"unknown relation kind", seedPrelude + "japan -partnr-> australia" + ev},
	{"unknown relation kind, tab separated", seedPrelude + "japan\t-alli->\taustralia" + ev},
	{"empty relation kind", seedPrelude + "japan --> australia" + ev},
	{"unknown entity type", seedPrelude + `entity korea Countyr "Korea"`},
	{"unknown subject", seedPrelude + "japn -partner-> australia" + ev},
	{"unknown object", seedPrelude + "japan -partner-> austrlia" + ev},
	{"subject outside the domain", seedPrelude + "japan -leads-> australia" + ev},
	{"no evidence", seedPrelude + "japan -partner-> australia\n  status: existing"},
	{"evidence in two parts", seedPrelude + "japan -partner-> australia\n  evidence: ecfr-2024 | Introduction ¶1"},
	{"evidence in four parts", seedPrelude + "japan -partner-> australia\n  evidence: ecfr-2024 | Introduction ¶1 | a | b"},
	{"unknown source", seedPrelude + "japan -partner-> australia\n  evidence: ecfr-2042 | Introduction ¶1 | A note."},
	{"evidence without locator", seedPrelude + "japan -partner-> australia\n  evidence: ecfr-2024 |  | A note."},
	{"evidence without paraphrase", seedPrelude + "japan -partner-> australia\n  evidence: ecfr-2024 | Introduction ¶1 |"},
	{"bad entity slug", seedPrelude + `entity South_Korea Country "South Korea"`},
	{"bad source slug", "source ECFR\n  title: x"},
	{"entity without slug", seedPrelude + "entity"},
	{"duplicate entity", seedPrelude + `entity japan Country "Japan again"`},
	{"name taken by another entity's alias", seedPrelude + `entity nippon Country "tokyo"`},
	{"alias taken by another entity", seedPrelude + "entity korea Country \"Korea\"\n  alias: ROK, jp"},
	{"alias taken by another entity's name", seedPrelude + "entity korea Country \"Korea\"\n  alias: AUSTRALIA"},
	{"duplicate relation without id", seedPrelude + "japan -partner-> australia" + ev + "\n\njapan -partner-> australia" + ev},
	{"unknown qualifier key", seedPrelude + "japan -partner-> australia\n  stauts: existing" + ev},
	{"qualifier given twice", seedPrelude + "japan -partner-> australia\n  status: existing\n  status: proposed" + ev},
	{"empty qualifier", seedPrelude + "japan -partner-> australia\n  quantity:" + ev},
	{"bad status", seedPrelude + "japan -partner-> australia\n  status: planned" + ev},
	{"sector not a Sector", seedPrelude + "japan -cooperation-> australia\n  sector: australia" + ev},
	{"unknown sector", seedPrelude + "japan -cooperation-> australia\n  sector: chips" + ev},
	{"instrument not a Policy", seedPrelude + "japan -security_guarantee-> australia\n  instrument: semiconductors" + ev},
	{"bad id", seedPrelude + "japan -partner-> australia\n  id: Two_A" + ev},
	{"indented line before any block", "  title: orphan\nsource x\n  title: y"},
	{"source without title", seedPrelude + "source other\n  publisher: Someone"},
	{"source declared twice", seedPrelude + "source ecfr-2024\n  title: again"},
	{"unknown source key", seedPrelude + "source other\n  title: x\n  colour: red"},
	{"empty source title", seedPrelude + "source other\n  title:"},
	{"text after the source slug", seedPrelude + "source other extra\n  title: x"},
	{"unterminated quoted name", seedPrelude + `entity korea Country "Korea`},
	{"unterminated quoted alias", seedPrelude + "entity korea Country \"Korea\"\n  alias: \"ROK, Seoul"},
	{"text after a quoted alias", seedPrelude + "entity korea Country \"Korea\"\n  alias: \"ROK\" Seoul"},
	{"name without quotes", seedPrelude + "entity korea Country Korea"},
	{"empty name", seedPrelude + `entity korea Country ""`},
	{"text after the name", seedPrelude + `entity korea Country "Korea" extra`},
	{"empty alias", seedPrelude + "entity korea Country \"Korea\"\n  alias: ROK,,Seoul"},
	{"empty description", seedPrelude + "entity korea Country \"Korea\"\n  description:"},
	{"unknown entity key", seedPrelude + "entity korea Country \"Korea\"\n  aliases: ROK"},
	{"detail without colon", seedPrelude + "entity korea Country \"Korea\"\n  alias ROK"},
	{"detail key not lower case", seedPrelude + "entity korea Country \"Korea\"\n  Alias: ROK"},
	{"misspelt block keyword", seedPrelude + `entiy korea Country "Korea"`},
	{"relation without arrow", seedPrelude + "japan partner australia"},
	{"relation with text after the object", seedPrelude + "japan -partner-> australia extra" + ev},
	{"invalid UTF-8", seedPrelude + "entity korea Country \"Kor\xffea\""},
	{"unknown basis", seedPrelude + "japan -partner-> australia\n  basis: infered" + ev},
	{"inferred without a note", seedPrelude + "japan -partner-> australia\n  basis: inferred" + ev},
	{"background without a note", seedPrelude + "japan -partner-> australia\n  basis: background" + ev},
	{"valid_from not a date", seedPrelude + "japan -partner-> australia\n  valid_from: January 2025" + ev},
	{"valid_from month out of range", seedPrelude + "japan -partner-> australia\n  valid_from: 2025-13" + ev},
	{"valid_until day out of range", seedPrelude + "japan -partner-> australia\n  valid_until: 2023-02-29" + ev},
	{"valid_until before valid_from", seedPrelude + "japan -partner-> australia\n  valid_until: 2020\n  valid_from: 2021-01-20" + ev},
	{"entity date not a date", seedPrelude + "entity korean-war Event \"Korean War\"\n  valid_from: 1950-6-25"},
	{"entity date given twice", seedPrelude + "entity korean-war Event \"Korean War\"\n  valid_until: 1953\n  valid_until: 1954"},
	{"source date not a date", "source other\n  title: x\n  date: November 2024"},
	{"venue not an Organisation", seedPrelude + "japan -partner-> australia\n  venue: australia" + ev},
}

// TestSeedErrors loads each broken file into a store with data, pins the
// whole error (file:line:col: message, and its class) and checks that the
// store is as it was.
func TestSeedErrors(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.nq", "<http://example/a> <http://example/b> <http://example/c> .\n", nil)
	before := snapshot(t, db)
	var b strings.Builder
	for _, c := range seedErrorCases {
		res, err := loadString(db, "case.seed", c.src, nil)
		if err == nil {
			t.Errorf("%s: loaded (%+v)", c.name, res)
			continue
		}
		le := asLoaderError(t, err)
		class := "?"
		switch {
		case errors.Is(err, loader.ErrSyntax):
			class = "syntax"
		case errors.Is(err, loader.ErrInvalid):
			class = "invalid"
		case errors.Is(err, loader.ErrLimit):
			class = "limit"
		}
		if le.File != "case.seed" || le.Line < 1 || le.Col < 1 {
			t.Errorf("%s: position %s:%d:%d", c.name, le.File, le.Line, le.Col)
		}
		if res != nil && res.Added != 0 {
			t.Errorf("%s: %d quads added", c.name, res.Added)
		}
		fmt.Fprintf(&b, "%s [%s]\n\t%s\n", c.name, class, err)
		if after := snapshot(t, db); after != before {
			t.Fatalf("%s: the failed load changed the store", c.name)
		}
	}
	golden(t, "seed_errors.golden", b.String())
}

func TestSeedErrorCaret(t *testing.T) {
	_, err := loadString(openMem(t), "case.seed", seedPrelude+"japan -partnr-> australia"+ev, nil)
	le := asLoaderError(t, err)
	want := "japan -partnr-> australia\n       ^"
	if got := le.Caret(); got != want {
		t.Errorf("caret:\n%s\nwant:\n%s", got, want)
	}
	if le.Src != "japan -partnr-> australia" {
		t.Errorf("Src = %q", le.Src)
	}
	// A detail line: the caret is under the value.
	_, err = loadString(openMem(t), "case.seed", seedPrelude+"japan -partner-> australia\n\tstatus: planned"+ev, nil)
	le = asLoaderError(t, err)
	want = " status: planned\n         ^"
	if got := le.Caret(); got != want {
		t.Errorf("caret:\n%q\nwant:\n%q", got, want)
	}
}

// TestSeedErrorsLoadNothing checks all-or-nothing on both paths of the
// store: an empty store (written directly) and one with data (written in
// transactions, here in batches of 8, so that several are committed before
// the error and must be undone).
func TestSeedErrorsLoadNothing(t *testing.T) {
	// Many valid blocks, then an error at the very end.
	var b strings.Builder
	b.WriteString(seedPrelude)
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "entity country-%d Country \"Country %d\"\n\njapan -partner-> country-%d%s\n\n", i, i, i, ev)
	}
	b.WriteString("japan -partner-> nowhere" + ev + "\n")
	src := b.String()

	t.Run("empty store", func(t *testing.T) {
		db := openMem(t)
		res, err := load(t, db, "late.seed", src, nil)
		if le := asLoaderError(t, err); le.Line != 214 {
			t.Errorf("error at line %d, want 214: %v", le.Line, err)
		}
		if res.Read == 0 {
			t.Errorf("nothing read before the error: %+v", res)
		}
		if st := stats(t, db); st.Quads != 0 || st.Nodes != 0 {
			t.Errorf("the store is not empty: %+v", st)
		}
	})
	t.Run("store with data", func(t *testing.T) {
		db := openMem(t)
		mustLoad(t, db, "base.seed", seedPrelude, nil)
		before := snapshot(t, db)
		commits := 0
		opts := &loader.Options{
			Store:     &graph.LoadOptions{BatchSize: 8, BulkLimit: -1},
			Committed: func(graph.LoadProgress) { commits++ },
		}
		_, err := load(t, db, "late.seed", src, opts)
		asLoaderError(t, err)
		if commits < 2 {
			t.Errorf("%d batches committed before the error; the test wants several", commits)
		}
		if after := snapshot(t, db); after != before {
			t.Errorf("the failed load changed the store")
		}
	})
	t.Run("second file fails", func(t *testing.T) {
		db := openMem(t)
		good := writeFile(t, "good.nq", "<http://example/a> <http://example/b> <http://example/c> .\n")
		bad := writeFile(t, "bad.seed", seedPrelude+"japan -partnr-> australia"+ev)
		_, err := loader.Load(context.Background(), db, []string{good, bad}, nil)
		if le := asLoaderError(t, err); le.Line != 14 || le.Col != 8 {
			t.Errorf("error %v, want bad.seed:14:8", err)
		}
		if st := stats(t, db); st.Quads != 0 {
			t.Errorf("the first file's quads were written: %+v", st)
		}
	})
}

// multiErrorSeed has four errors in four blocks, and valid blocks between.
const multiErrorSeed = seedPrelude + `japan -partnr-> australia
  evidence: ecfr-2024 | Introduction ¶1 | A note.

entity korea Countyr "Korea"

japan -ally-> australia
  status: planned
  evidence: ecfr-2024 | Introduction ¶1 | A note.

australia -partner-> japan
  evidence: ecfr-2024 | Introduction ¶2 | Canberra and Tokyo work together.

entity Bad_Slug Country "Bad"

jane-doe -leads-> japan
  period: 2024–
  evidence: ecfr-2024 | Introduction ¶3 | Jane leads Japan.

japan -partner-> australia
  evidence: ecfr-2024 | Introduction
`

var multiErrors = []string{
	"multi.seed:14:8: unknown relation kind \"partnr\" (did you mean partner?)",
	"multi.seed:17:14: unknown entity type \"Countyr\" (did you mean Country?)",
	"multi.seed:20:11: unknown status \"planned\" (expected existing, proposed, potential, at_risk, lapsed)",
	"multi.seed:26:8: entity slug \"Bad_Slug\" must be lower-case letters, digits and single hyphens (south-korea)",
	"multi.seed:33:13: expected evidence as SOURCE | LOCATOR | PARAPHRASE, found 2 parts",
}

func errorStrings(l loader.ErrorList) []string {
	var out []string
	for _, e := range l {
		out = append(out, e.Error())
	}
	return out
}

func TestSeedDryRun(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.nq", "<http://example/a> <http://example/b> <http://example/c> .\n", nil)
	before := snapshot(t, db)
	res, err := loadString(db, "multi.seed", multiErrorSeed, &loader.Options{DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !res.DryRun || res.Added != 0 || res.Files != 1 {
		t.Errorf("result %+v", res)
	}
	if got := strings.Join(errorStrings(res.Errors), "\n"); got != strings.Join(multiErrors, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(multiErrors, "\n"))
	}
	// The valid blocks were read: the prelude and the two good relations.
	if res.Read < 20 {
		t.Errorf("only %d quads read", res.Read)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("a dry run changed the store")
	}
	// The list's own message names the first error and the count.
	if got, want := res.Errors.Error(), multiErrors[0]+" (and 4 more errors)"; got != want {
		t.Errorf("ErrorList.Error() = %q, want %q", got, want)
	}
	// Each one is a *loader.Error for errors.As, and classified.
	if !errors.Is(res.Errors, loader.ErrInvalid) || !errors.Is(res.Errors, loader.ErrSyntax) {
		t.Errorf("the list does not unwrap to its errors' classes")
	}

	// A valid file: a dry run reads it all and writes nothing.
	res, err = loadString(db, "valid.seed", validSeed, &loader.Options{DryRun: true})
	if err != nil || len(res.Errors) != 0 || res.Read == 0 {
		t.Errorf("dry run of a valid file: %+v %v", res, err)
	}
	if after := snapshot(t, db); after != before {
		t.Errorf("a dry run changed the store")
	}
}

func TestSeedDryRunMaxErrors(t *testing.T) {
	res, err := loadString(openMem(t), "multi.seed", multiErrorSeed, &loader.Options{DryRun: true, MaxErrors: 2})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if got := strings.Join(errorStrings(res.Errors), "\n"); got != strings.Join(multiErrors[:2], "\n") {
		t.Errorf("errors:\n%s\nwant the first two", got)
	}
}

func TestSeedKeepGoing(t *testing.T) {
	db := openMem(t)
	res, err := loadString(db, "multi.seed", multiErrorSeed, &loader.Options{KeepGoing: true})
	if err != nil {
		t.Fatalf("keep going: %v", err)
	}
	if got := strings.Join(errorStrings(res.Errors), "\n"); got != strings.Join(multiErrors, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(multiErrors, "\n"))
	}
	if res.Added == 0 || res.Added != res.Read {
		t.Errorf("result %+v", res)
	}
	have := quadSet(t, db)
	for _, q := range []string{
		nq(iri("entity:australia"), iri("rel:partner"), iri("entity:japan"), iri("stmt:australia/partner/japan")),
		nq(iri("entity:jane-doe"), iri("rel:leads"), iri("entity:japan"), iri("stmt:jane-doe/leads/japan")),
		nq(iri("stmt:jane-doe/leads/japan"), iri("q:period"), str("2024–"), nil),
		nq(iri("entity:japan"), graph.PredAlias, str("Tokyo"), nil),
	} {
		if !have[q] {
			t.Errorf("a valid block was not loaded: %s", q)
		}
	}
	// Nothing of the broken blocks: no korea, no ally, no Bad_Slug, and
	// no japan -partner-> australia (its evidence was broken).
	for _, q := range allQuads(t, db) {
		for _, bad := range []string{"korea", "rel:ally", "Bad", "japan/partner/australia", "partnr"} {
			if strings.Contains(q, bad) {
				t.Errorf("a quad of a broken block was loaded: %s", q)
			}
		}
	}
	st := stats(t, db)
	if st.Relations != 2 || st.Entities != 4 {
		t.Errorf("stats %+v: want 2 relations and 4 entities", st)
	}
}

// TestSeedLinksToStore checks that a seed file may name entities, sectors
// and sources already in the store (by slug for subject and object, by
// name or alias for a sector), and that relations find their types there.
func TestSeedLinksToStore(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.seed", seedPrelude, nil)
	mustLoad(t, db, "more.seed", `japan -cooperation-> australia
  sector: SEMICONDUCTORS
  evidence: ecfr-2024 | Introduction ¶4 | More chips.
`, nil)
	wantQuads(t, db,
		nq(iri("entity:japan"), iri("rel:cooperation"), iri("entity:australia"), iri("stmt:japan/cooperation/australia/semiconductors")),
		nq(evid("stmt:japan/cooperation/australia/semiconductors", "Introduction ¶4", "More chips."), graph.PredSource, iri("source:ecfr-2024"), nil),
	)
	// The store's types are checked too.
	_, err := load(t, db, "bad.seed", "japan -leads-> australia"+ev+"\n", nil)
	if got, want := errText(err, ""), "leads needs a subject of type Person; japan is a Country"; !strings.HasSuffix(got, want) {
		t.Errorf("error %q, want one ending %q", got, want)
	}
}

// TestSeedCrossFile loads two seed files in one load, the second naming
// what the first declares. seeds/ may hold several files ("one or more
// .seed files in this directory"), loaded together by seeds.Sources.
func TestSeedCrossFile(t *testing.T) {
	ctx := context.Background()
	db := openMem(t)
	a := writeFile(t, "a.seed", seedPrelude)
	b := writeFile(t, "b.seed", "japan -partner-> australia"+ev+"\n")
	_, err := loader.Load(ctx, db, []string{a, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantQuads(t, db, nq(iri("entity:japan"), iri("rel:partner"), iri("entity:australia"), iri("stmt:japan/partner/australia")))

	// A file sees the files before it, not those after it.
	_, err = loader.Load(ctx, openMem(t), []string{b, a}, nil)
	if got, want := errText(err, b), "b.seed:1:1: unknown entity \"japan\""; got != want {
		t.Errorf("b before a: error %q, want %q", got, want)
	}

	// The same file twice in one load, and the load again: nothing new.
	db = openMem(t)
	if _, err := loader.Load(ctx, db, []string{a, b, a, b}, nil); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, db)
	if res, err := loader.Load(ctx, db, []string{a, b}, nil); err != nil || res.Added != 0 {
		t.Errorf("loading again: %+v %v", res, err)
	}
	if snapshot(t, db) != before {
		t.Errorf("loading again changed the store")
	}
}

// TestSeedCrossFileChecks checks that names, types and qualifiers are
// checked across the files of one load as against the store, and that a
// CSV file sees what a seed file before it declared.
func TestSeedCrossFileChecks(t *testing.T) {
	ctx := context.Background()
	a := writeFile(t, "a.seed", seedPrelude+"japan -partner-> australia\n  status: existing"+ev+"\n")
	for _, c := range []struct{ name, src, want string }{
		{"b.seed", "entity nippon Country \"Nippon\"\n  alias: JP\n",
			`b.seed:2:10: name "JP" already belongs to entity "japan" in a.seed: names and aliases must find one entity`},
		{"b.seed", "entity japan Person \"Japan\"\n",
			`b.seed:1:14: entity "japan" is a Country in a.seed; it cannot also be a Person (an entity has one type)`},
		{"b.seed", "japan -partner-> australia\n  status: proposed" + ev + "\n",
			`b.seed:2:11: stmt:japan/partner/australia already has status "existing" in a.seed; this block says "proposed"`},
		{"b.csv", "subject,relation,object,status,source,locator,note\nTokyo,partner,Canberra,lapsed,ecfr-2024,x,y\n",
			`b.csv:2:24: stmt:japan/partner/australia already has status "existing" in a.seed; this row says "lapsed"`},
	} {
		db := openMem(t)
		b := writeFile(t, c.name, c.src)
		_, err := loader.Load(ctx, db, []string{a, b}, nil)
		if got := strings.ReplaceAll(errText(err, b), filepath.Dir(a)+string(filepath.Separator), ""); got != c.want {
			t.Errorf("error\n got %s\nwant %s", got, c.want)
		}
		if st := stats(t, db); st.Quads != 0 {
			t.Errorf("%s: %d quads written", c.name, st.Quads)
		}
	}
	// A CSV file names the entities and sources of a seed file before
	// it, and a seed file those a CSV file created.
	db := openMem(t)
	b := writeFile(t, "b.csv", "subject,relation,object,source,locator,note,object_type\nFreedonia,type,Country,,,,\nTokyo,partner,Freedonia,ecfr-2024,x,y,Country\n")
	c := writeFile(t, "c.seed", "freedonia -partner-> australia"+ev+"\n")
	if _, err := loader.Load(ctx, db, []string{a, b, c}, nil); err != nil {
		t.Fatal(err)
	}
	wantQuads(t, db,
		nq(iri("entity:japan"), iri("rel:partner"), iri("entity:freedonia"), iri("stmt:japan/partner/freedonia")),
		nq(iri("entity:freedonia"), iri("rel:partner"), iri("entity:australia"), iri("stmt:freedonia/partner/australia")))
}

// TestSeedQualifierConflictWithStore repeats a stored relation with
// another status: an error at the status; the same status loads.
func TestSeedQualifierConflictWithStore(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.seed", seedPrelude+"japan -partner-> australia\n  status: existing"+ev+"\n", nil)
	before := snapshot(t, db)
	_, err := loadString(db, "more.seed", "japan -partner-> australia\n  status: proposed"+ev+"\n", nil)
	want := `more.seed:2:11: stmt:japan/partner/australia already has status "existing" in the store; this block says "proposed"`
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if snapshot(t, db) != before {
		t.Errorf("the failed load changed the store")
	}
	// Without a status, or with the same one, the relation gains nothing
	// but what is new.
	for _, src := range []string{"japan -partner-> australia" + ev + "\n", "japan -partner-> australia\n  status: existing" + ev + "\n"} {
		if res, err := loadString(db, "more.seed", src, nil); err != nil || res.Added != 0 {
			t.Errorf("%q: %+v %v", src, res, err)
		}
	}
}

// TestSeedVersion checks that a seed file whose source gives a version
// loads into a store with the same version, and is refused, with what to
// do, by a store holding another edition of the graph.
func TestSeedVersion(t *testing.T) {
	edition := func(version string) string {
		src := strings.Replace(seedPrelude, "  title: Test source\n", "  title: Test source\n"+version, 1)
		return src + "japan -partner-> australia" + ev + "\n"
	}
	db := openMem(t)
	mustLoad(t, db, "v2.seed", edition("  version: 2\n"), nil)
	if res := mustLoad(t, db, "v2.seed", edition("  version: 2\n"), nil); res.Added != 0 {
		t.Errorf("the same edition again added %d quads", res.Added)
	}
	for version, want := range map[string]string{
		"  version: 3\n": `v3.seed:3:12: the store holds source "ecfr-2024" from version 2; this file is version 3, and a load does not change stored facts: load it with --replace to replace what the store says with what this edition says, or into a new store`,
	} {
		before := snapshot(t, db)
		_, err := loadString(db, "v3.seed", edition(version), nil)
		if got := errText(err, ""); got != want {
			t.Errorf("error %q, want %q", got, want)
		}
		if snapshot(t, db) != before {
			t.Errorf("the refused load changed the store")
		}
	}
	// A store from before versions: the source without one.
	old := openMem(t)
	mustLoad(t, old, "v1.seed", edition(""), nil)
	_, err := loadString(old, "v2.seed", edition("  version: 2\n"), nil)
	want := `v2.seed:3:12: the store holds source "ecfr-2024" from an earlier edition (without a version); this file is version 2, and a load does not change stored facts: load it with --replace to replace what the store says with what this edition says, or into a new store`
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	// An empty store takes any edition.
	mustLoad(t, openMem(t), "v3.seed", edition("  version: 3\n"), nil)
}

// TestSeedTimeAndBasis checks the quads of a relation's basis and valid
// time, and of an event's time.
func TestSeedTimeAndBasis(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "t.seed", seedPrelude+`entity korean-war Event "Korean War"
  valid_from: 1950-06-25
  valid_until: 1953-07-27

japan -partner-> australia
  basis: inferred
  note: from the two being named together
  valid_from: 2017
  valid_until: 2021-01-20`+ev+"\n", nil)
	stmt := quad.IRI("stmt:japan/partner/australia")
	war := quad.IRI("entity:korean-war")
	wantQuads(t, db,
		nq(stmt, quad.IRI("q:basis"), quad.String("inferred"), nil),
		nq(stmt, quad.IRI("q:valid_from"), quad.String("2017"), nil),
		nq(stmt, quad.IRI("q:valid_until"), quad.String("2021-01-20"), nil),
		nq(war, quad.IRI("q:valid_from"), quad.String("1950-06-25"), nil),
		nq(war, quad.IRI("q:valid_until"), quad.String("1953-07-27"), nil),
	)
	// A point in time: from and until the same day.
	mustLoad(t, openMem(t), "p.seed", seedPrelude+"japan -partner-> australia\n  valid_from: 2024-11\n  valid_until: 2024-11"+ev+"\n", nil)
}

// TestSeedRenameEntity checks that a later seed file cannot give an entity
// of the store a second name.
func TestSeedRenameEntity(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.seed", seedPrelude, nil)
	_, err := loadString(db, "rename.seed", "entity japan Country \"Nippon\"\n", nil)
	want := `rename.seed:1:23: entity "japan" is named "Japan" in the store; this block names it "Nippon" (an entity has one name; give others as aliases)`
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	// The same declaration, with a new alias, is fine.
	res, err := loadString(db, "same.seed", "entity japan Country \"Japan\"\n  alias: Nihon\n", nil)
	if err != nil || res.Added != 1 {
		t.Errorf("redeclaring with a new alias: %+v %v", res, err)
	}
}

// TestSeedNamesUniqueWithStore checks that a name or alias cannot be given
// to a second entity by a later seed file: "Names and aliases must be
// unique across entities, ignoring case, so that a name always finds one
// entity."
func TestSeedNamesUniqueWithStore(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.seed", seedPrelude, nil)
	before := snapshot(t, db)
	_, err := loadString(db, "clash.seed", "entity nippon Country \"Nippon\"\n  alias: tokyo\n", nil)
	want := `clash.seed:2:10: name "tokyo" already belongs to entity "japan" in the store: names and aliases must find one entity`
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if !errors.Is(err, loader.ErrInvalid) {
		t.Errorf("error %v is not ErrInvalid", err)
	}
	if snapshot(t, db) != before {
		t.Errorf("the failed load changed the store")
	}
}

// TestSeedRetypeEntity checks that a later seed file cannot give an
// entity of the store a second type: "exactly one type".
func TestSeedRetypeEntity(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.seed", seedPrelude, nil)
	before := snapshot(t, db)
	_, err := loadString(db, "retype.seed", "entity japan Person \"Japan\"\n", nil)
	want := `retype.seed:1:14: entity "japan" is a Country in the store; it cannot also be a Person (an entity has one type)`
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if !errors.Is(err, loader.ErrInvalid) {
		t.Errorf("error %v is not ErrInvalid", err)
	}
	if snapshot(t, db) != before {
		t.Errorf("the failed load changed the store")
	}
}

// TestSeedObjectColumn checks the column of an unknown object when the
// relation line has more than one space before it.
func TestSeedObjectColumn(t *testing.T) {
	for _, sep := range []string{"   ", "\t  "} {
		_, err := loadString(openMem(t), "case.seed", seedPrelude+"japan -partner->"+sep+"austrlia"+ev, nil)
		if le := asLoaderError(t, err); le.Line != 14 || le.Col != 20 {
			t.Errorf("separator %q: error %v, want line 14, column 20", sep, err)
		}
	}
}

// TestSeedMissingNameColumn checks the column of a missing entity name.
func TestSeedMissingNameColumn(t *testing.T) {
	_, err := loadString(openMem(t), "case.seed", seedPrelude+"entity korea Country", nil)
	le := asLoaderError(t, err)
	if le.Line != 14 || !strings.Contains(le.Msg, "found end of line") {
		t.Fatalf("error %v", err)
	}
	if le.Col != 21 {
		t.Errorf("a missing entity name is reported at column %d, want 21 (the end of the line): %v", le.Col, err)
	}
}

// TestSeedRangeMessage checks the wording of a range violation.
func TestSeedRangeMessage(t *testing.T) {
	_, err := loadString(openMem(t), "case.seed", seedPrelude+"jane-doe -leads-> semiconductors"+ev, nil)
	want := "case.seed:14:19: leads needs an object of type Country, Bloc, Organisation, Group; semiconductors is a Sector"
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// TestSeedLongLine checks the line cap on seed files.
func TestSeedLongLine(t *testing.T) {
	src := seedPrelude + "entity korea Country \"" + strings.Repeat("K", 2000) + "\"\n"
	_, err := loadString(openMem(t), "long.seed", src, &loader.Options{Limits: loader.Limits{MaxLine: 1000}})
	le := asLoaderError(t, err)
	if !errors.Is(err, loader.ErrLimit) || le.Line != 14 {
		t.Errorf("error %v: want a limit error at line 14", err)
	}
	if got, want := err.Error(), "long.seed:14:1: line is longer than the limit of 1000 bytes (--max-line); reading stopped there"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// TestSeedFormatFromName checks that "--format seed" and the sniffer find
// the seed format where the name does not say.
func TestSeedFormatFromName(t *testing.T) {
	db := openMem(t)
	res, err := load(t, db, "graph.txt", seedPrelude, &loader.Options{Format: loader.Seed})
	if err != nil || res.Added == 0 {
		t.Fatalf("--format seed: %+v %v", res, err)
	}
	db = openMem(t)
	res, err = loader.Load(context.Background(), db, []string{"-"}, &loader.Options{Stdin: strings.NewReader("# a seed file\n" + seedPrelude)})
	if err != nil || res.Added != 13 {
		t.Fatalf("seed on standard input: %+v %v", res, err)
	}
}

// evid is the id of a piece of evidence from source ecfr-2024: its
// statement's path and the first four bytes of the SHA-256 of its content.
func evid(stmt, loc, note string) quad.IRI {
	sum := sha256.Sum256([]byte("ecfr-2024|" + loc + "|" + note))
	return iri("ev:" + strings.TrimPrefix(stmt, "stmt:") + "/" + hex.EncodeToString(sum[:4]))
}

// TestEvidenceFromTwoFiles: the same relation declared in two files with
// different evidence keeps both pieces whole, and loading either again
// adds nothing.
func TestEvidenceFromTwoFiles(t *testing.T) {
	db := openMem(t)
	mustLoad(t, db, "base.seed", seedPrelude+"\njapan -security_pact-> australia"+ev+"\n", nil)
	more := `japan -security_pact-> australia
  evidence: ecfr-2024 | Introduction ¶4 | A second reading of the pact.
`
	mustLoad(t, db, "more.seed", more, nil)
	pact := "stmt:japan/security_pact/australia"
	wantQuads(t, db,
		nq(evid(pact, "Introduction ¶1", "A note in our words."), graph.PredLocator, str("Introduction ¶1"), nil),
		nq(evid(pact, "Introduction ¶4", "A second reading of the pact."), graph.PredLocator, str("Introduction ¶4"), nil),
	)
	locators := map[string]int{}
	for _, q := range allQuads(t, db) {
		if strings.Contains(q, "<ev:locator>") {
			locators[strings.Fields(q)[0]]++
		}
	}
	for ev, n := range locators {
		if n != 1 {
			t.Errorf("%s has %d locators", ev, n)
		}
	}
	before := len(allQuads(t, db))
	if res := mustLoad(t, db, "more.seed", more, nil); res.Added != 0 {
		t.Errorf("loading more.seed again added %d quads", res.Added)
	}
	if after := len(allQuads(t, db)); after != before {
		t.Errorf("%d quads, then %d", before, after)
	}
}

// TestDefaultStatusConflicts: a relation stated without a status is
// existing, and a later file may not silently make it another — nor
// restate a proposed one without its status.
func TestDefaultStatusConflicts(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ name, base, more, want string }{
		{"seed over implicit existing", "japan -partner-> australia" + ev + "\n",
			"japan -partner-> australia\n  status: proposed" + ev + "\n",
			`more.seed:2:11: stmt:japan/partner/australia already has status "existing" in the store; this block says "proposed"`},
		{"seed without status over proposed", "japan -partner-> australia\n  status: proposed" + ev + "\n",
			"japan -partner-> australia" + ev + "\n",
			`more.seed:1:1: stmt:japan/partner/australia already has status "proposed" in the store; this block (no status line) says "existing"`},
		{"csv over implicit existing", "japan -partner-> australia" + ev + "\n",
			"subject,relation,object,status,source,locator,note\nTokyo,partner,Canberra,lapsed,ecfr-2024,x,y\n",
			`more.csv:2:24: stmt:japan/partner/australia already has status "existing" in the store; this row says "lapsed"`},
		{"csv without status over proposed", "japan -partner-> australia\n  status: proposed" + ev + "\n",
			"subject,relation,object,source,locator,note\nTokyo,partner,Canberra,ecfr-2024,x,y\n",
			`more.csv:2:1: stmt:japan/partner/australia already has status "proposed" in the store; this row (no status) says "existing"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := "more.seed"
			if strings.Contains(c.name, "csv") {
				name = "more.csv"
			}
			// Across loads: the base in the store.
			db := openMem(t)
			mustLoad(t, db, "base.seed", seedPrelude+c.base, nil)
			before := snapshot(t, db)
			_, err := loadString(db, name, c.more, nil)
			if got := errText(err, ""); got != c.want {
				t.Errorf("across loads:\n got %s\nwant %s", got, c.want)
			}
			if snapshot(t, db) != before {
				t.Errorf("the failed load changed the store")
			}
			// Within one load: the base an earlier file.
			a := writeFile(t, "base.seed", seedPrelude+c.base)
			b := writeFile(t, name, c.more)
			db = openMem(t)
			_, err = loader.Load(ctx, db, []string{a, b}, nil)
			want := strings.Replace(c.want, "in the store", "in base.seed", 1)
			if got := strings.ReplaceAll(errText(err, b), filepath.Dir(a)+string(filepath.Separator), ""); got != want {
				t.Errorf("within a load:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestSeedChecksAgainstStoreAsItWas: a load whose batches commit as it
// reads (one quad a batch here) checks each file against the store as it
// was before the load and the files before it, so a clash names the file
// that made it; names are found ignoring case in the store without its
// catalog.
func TestSeedChecksAgainstStoreAsItWas(t *testing.T) {
	ctx := context.Background()
	db, err := graph.Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := loader.Load(ctx, db, []string{writeFile(t, "base.seed", "entity japan Country \"Japan\"\n  alias: Nippon\n")}, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Stats(ctx)
	a := writeFile(t, "a.seed", "entity zeta Country \"Zeta\"\n")
	b := writeFile(t, "b.seed", "entity zeta-2 Country \"ZETA\"\n")
	_, err = loader.Load(ctx, db, []string{a, b}, &loader.Options{Store: &graph.LoadOptions{BatchSize: 1}})
	if err == nil || !strings.Contains(err.Error(), `name "ZETA" already belongs to entity "zeta" in `+a+":") {
		t.Fatalf("the clash across files: %v", err)
	}
	after, _ := db.Stats(ctx)
	if after.Quads != before.Quads {
		t.Fatalf("a refused load left %d quads, the store had %d", after.Quads, before.Quads)
	}
	c := writeFile(t, "c.seed", "entity nihon Country \"NIPPON\"\n")
	_, err = loader.Load(ctx, db, []string{c}, nil)
	if err == nil || !strings.Contains(err.Error(), `name "NIPPON" already belongs to entity "japan" in the store`) {
		t.Fatalf("an alias in another case: %v", err)
	}
}

package loader_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

// changeBase is a store to change: two relations between Japan and
// Australia, a person with a relation, an alias.
const changeBase = seedPrelude + `japan -partner-> australia
  status: proposed` + ev + `

japan -cooperation-> australia
  sector: semiconductors` + ev + `

jane-doe -leads-> japan` + ev + `
`

func changeStore(t *testing.T) *graph.DB {
	t.Helper()
	db := openMem(t)
	mustLoad(t, db, "base.seed", changeBase, nil)
	return db
}

func lastTx(t *testing.T, db *graph.DB) graph.Tx {
	t.Helper()
	log, err := db.Log(context.Background())
	if err != nil || len(log) == 0 {
		t.Fatalf("log: %v %v", log, err)
	}
	return log[0]
}

// TestSeedChanges: a seed file's retract and amend blocks change the store
// with its additions, as one transaction whose message gives the reasons.
func TestSeedChanges(t *testing.T) {
	db := changeStore(t)
	res := mustLoad(t, db, "changes.seed", `# after the summit
retract jane-doe -leads-> japan
  reason: she left office

amend japan -partner-> australia
  status: existing
  from: 2024-06-01
  reason: agreed at the summit

amend entity "Australia"
  add_alias: AU
  remove_alias: Canberra
  reason: the capital is no alias

entity bob Person "Bob Roe"

bob -leads-> japan`+ev+`
`, &loader.Options{Tx: graph.TxMeta{Author: "ana"}})
	if res.Changes != 3 || res.Removed == 0 || res.Tx.ID != 2 {
		t.Fatalf("result %+v", res)
	}
	tx := lastTx(t, db)
	if tx.ID != 2 || tx.Author != "ana" || tx.Kind != "load" ||
		!strings.Contains(tx.Message, "she left office") || !strings.Contains(tx.Message, "agreed at the summit") {
		t.Fatalf("tx %+v", tx)
	}
	have := quadSet(t, db)
	if have[nq(iri("entity:jane-doe"), iri("rel:leads"), iri("entity:japan"), iri("stmt:jane-doe/leads/japan"))] {
		t.Error("the retracted relation is still there")
	}
	wantQuads(t, db,
		nq(iri("entity:bob"), iri("rel:leads"), iri("entity:japan"), iri("stmt:bob/leads/japan")),
		nq(iri("stmt:japan/partner/australia"), iri("q:status"), str("existing"), nil),
		nq(iri("entity:australia"), graph.PredAlias, str("AU"), nil),
	)
	if have[nq(iri("entity:australia"), graph.PredAlias, str("Canberra"), nil)] {
		t.Error("the removed alias is still there")
	}
	// The dated status: proposed before 2024-06.
	d, _ := graph.ParseDate("2024-01")
	v, err := db.At(context.Background(), graph.Period{From: d, Until: d})
	if err != nil {
		t.Fatal(err)
	}
	if !quadSet(t, v)[nq(iri("stmt:japan/partner/australia"), iri("q:status"), str("proposed"), nil)] {
		t.Error("at 2024-01 the status is not proposed")
	}
	// As of the first transaction, all as it was.
	old, err := db.AsOf(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !quadSet(t, old)[nq(iri("entity:jane-doe"), iri("rel:leads"), iri("entity:japan"), iri("stmt:jane-doe/leads/japan"))] {
		t.Error("as of tx:1 the retracted relation is missing")
	}
}

// TestSeedChangeErrors: a change that cannot be made is an error at its
// line, and the load writes nothing.
func TestSeedChangeErrors(t *testing.T) {
	db := changeStore(t)
	before := snapshot(t, db)
	for _, c := range []struct{ src, want string }{
		{"retract japan -partner-> austrlia\n  reason: x\n", `x.seed:1:26: unknown entity "austrlia"`},
		{"retract japan -partnr-> australia\n  reason: x\n", `x.seed:1:16: unknown relation kind "partnr" (did you mean partner?)`},
		{"retract japan -partner-> australia\n", `x.seed:1:1: a retract needs a reason`},
		{"amend japan -partner-> australia\n  statuss: existing\n  reason: x\n", `x.seed:2:3: unknown key "statuss" for an amendment of a relation (did you mean status?)`},
		{"amend japan -partner-> australia\n  reason: x\n", `x.seed:1:1: nothing to amend`},
		{"amend japan -partner-> australia\n  from: 2025\n  note: n\n  reason: x\n", `x.seed:1:1: from: dates a change of status`},
		{"amend japan -partner-> australia\n  status: bogus\n  reason: x\n", `x.seed:1: amend japan partner australia: status=bogus: status is one of`},
		{"retract japan -ally-> australia\n  reason: x\n", `x.seed:1: retract japan ally australia: not found: no ally relation from Japan to Australia; they are linked by cooperation, partner`},
		{"retract stmt:japan/partner/austral\n  reason: x\n", `did you mean stmt:japan/partner/australia?`},
		{"retract japan -partner-> australia\n  reason: x\n\namend japan -partner-> australia\n  status: existing\n  reason: y\n",
			`x.seed:4: amend japan partner australia: stmt:japan/partner/australia is changed by `},
		{"retract entity japan\n  where: status=existing\n  reason: x\n", `x.seed:2:3: where picks among the parallel relations`},
		// A good addition before a bad change: nothing is written.
		{"entity bob Person \"Bob\"\n\nbob -leads-> japan" + ev + "\n\nretract entity nobody\n  reason: x\n", `x.seed:6:16: unknown entity "nobody"`},
		{"entity bob Person \"Bob\"\n\nbob -leads-> japan" + ev + "\n\nretract japan -partner-> australia\n  where: status=existing\n  reason: x\n",
			`x.seed:6: retract japan partner australia status=existing: not found: none of the 1 partner relations from Japan to Australia has status=existing`},
	} {
		_, err := load(t, db, "x.seed", c.src, nil)
		if got := errText(err, "x.seed"); !strings.Contains(filepathBase(got), c.want) {
			t.Errorf("%q:\n got %s\nwant %s", c.src, got, c.want)
		}
		if snapshot(t, db) != before {
			t.Fatalf("%q: a failed load changed the store", c.src)
		}
	}
	if lastTx(t, db).ID != 1 {
		t.Fatal("a failed load left a transaction")
	}
	// A dry run plans the changes against the store and lists the errors.
	res, err := load(t, db, "x.seed", "retract japan -ally-> australia\n  reason: x\n", &loader.Options{DryRun: true})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "no ally relation") {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	// --replace says what holds, not what changes.
	_, err = load(t, db, "x.seed", "retract jane-doe -leads-> japan\n  reason: x\n", &loader.Options{Replace: true})
	if err == nil || !strings.Contains(err.Error(), "--replace") {
		t.Fatalf("replace with a change: %v", err)
	}
	if snapshot(t, db) != before {
		t.Fatal("a refused replacing load changed the store")
	}
	// Into an empty store a change alone has nothing to change.
	empty := openMem(t)
	_, err = load(t, empty, "x.seed", "retract entity japan\n  reason: x\n", nil)
	var le *loader.Error
	if !errors.As(err, &le) || le.Line != 1 {
		t.Fatalf("a change into an empty store: %v", err)
	}
	// Changes apply after the file's additions, also into an empty store
	// (the bulk path): the load's one transaction holds the outcome.
	mustLoad(t, empty, "x.seed", seedPrelude+"retract entity jane-doe\n  reason: x\n", nil)
	if have := quadSet(t, empty); have[nq(iri("entity:jane-doe"), graph.PredName, str("Jane Doe"), nil)] || !have[nq(iri("entity:japan"), graph.PredName, str("Japan"), nil)] {
		t.Fatal("a retraction of the file's own entity into an empty store")
	}
	if log, err := empty.Log(context.Background()); err != nil || len(log) != 1 || log[0].Message != "x" {
		t.Fatalf("log %+v %v", log, err)
	}
}

// TestCSVChanges: rows with an action retract or amend.
func TestCSVChanges(t *testing.T) {
	db := changeStore(t)
	mustLoad(t, db, "changes.csv", `subject,relation,object,status,sector,source,locator,note,action,reason,from
Japan,cooperation,Australia,,Semiconductors,,,,retract,the fab plan was dropped,
JP,partner,Canberra,existing,,,,,amend,agreed,2024-06
Australia,alias,AU,,,,,,amend,common,
Jane Doe,entity,,,,,,,retract,no longer in office,
`, &loader.Options{Tx: graph.TxMeta{Message: "csv review"}})
	have := quadSet(t, db)
	for _, gone := range []string{
		nq(iri("entity:japan"), iri("rel:cooperation"), iri("entity:australia"), iri("stmt:japan/cooperation/australia/semiconductors")),
		nq(iri("entity:jane-doe"), iri("rel:leads"), iri("entity:japan"), iri("stmt:jane-doe/leads/japan")),
	} {
		if have[gone] {
			t.Errorf("still there: %s", gone)
		}
	}
	wantQuads(t, db,
		nq(iri("stmt:japan/partner/australia"), iri("q:status"), str("existing"), nil),
		nq(iri("entity:australia"), graph.PredAlias, str("AU"), nil),
	)
	if tx := lastTx(t, db); !strings.HasPrefix(tx.Message, "csv review — ") || !strings.Contains(tx.Message, "agreed") {
		t.Fatalf("tx message %q", tx.Message)
	}
	before := snapshot(t, db)
	for _, c := range []struct{ row, want string }{
		{"Japan,partner,Australia,,,,,,retract,,", `e.csv:2:38: a row that does retract needs a reason`},
		{"Japan,partner,Australia,,,ecfr-2024,,,retract,x,", `e.csv:2:27: a row that does retract cites no evidence: leave source empty`},
		{"Japan,partner,Australia,,,,,,delete,x,", `e.csv:2:30: unknown action "delete"`},
		{"Japan,partner,Australia,,,,,,amend,x,", `e.csv:2:7: nothing to amend`},
		{"Japan,partner,Australia,,,,,,amend,x,2024", `e.csv:2:38: from dates a change of status`},
		{"Jpan,partner,Australia,,,,,,retract,x,", `e.csv:2:1: unknown subject "Jpan" (did you mean Japan?)`},
		{"Japan,partner,Nobody,,,,,,retract,x,", `e.csv:2:15: unknown object "Nobody": no entity of the graph has this name`},
		{"Japan,ally,Australia,,,,,,retract,x,", `e.csv:2: retract japan ally australia: not found: no ally relation`},
		{"Japan,partner,Australia,,,x,y,z,,,2024", `e.csv:2:35: from dates an amendment of status: it needs the action amend`},
	} {
		_, err := load(t, db, "e.csv", "subject,relation,object,status,sector,source,locator,note,action,reason,from\n"+c.row+"\n", nil)
		if got := errText(err, "e.csv"); !strings.Contains(filepathBase(got), c.want) {
			t.Errorf("%s:\n got %s\nwant %s", c.row, got, c.want)
		}
		if snapshot(t, db) != before {
			t.Fatalf("%s: a failed load changed the store", c.row)
		}
	}
}

// filepathBase drops the directory of the file an error names.
func filepathBase(s string) string {
	if i := strings.Index(s, "x.seed"); i > 0 {
		return s[i:]
	}
	if i := strings.Index(s, "e.csv"); i > 0 {
		return s[i:]
	}
	return s
}

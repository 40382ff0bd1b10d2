package loader_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

const csvHeader = "subject,relation,object,status,sector,source,locator,note,subject_type,object_type\n"

// validCSV names seed entities by alias (Tokyo, ROK), declares entities
// and a sector the graph lacks, checks types with subject_type and
// object_type, repeats
// a relation to add evidence, repeats a row exactly, and has comments.
const validCSV = "# An edge list exported from a spreadsheet\n" + csvHeader +
	"# the entities and the sector this file brings\n" +
	"Acme Robotics,type,Organisation,,,,,,,\n" +
	"Freedonia,type,Country,,,,,,,\n" +
	"Robotics,type,sector,,,,,,,\n" +
	"Tokyo,partner,ROK,existing,,ecfr-2024,Japan › What Tokyo wants ¶1,The two are partners.,,\n" +
	"# a comment between rows\n" +
	"tokyo,partner,Republic of Korea,existing,,ecfr-2024,Introduction ¶2,A second note.,,\n" +
	"Tokyo,partner,ROK,existing,,ecfr-2024,Introduction ¶2,A second note.,,\n" +
	"Acme Robotics,supplies,Japan,,Robotics,Trade press,p. 4,\"Acme sells robots, many, to Japan.\",Organisation,\n" +
	"Japan,cooperation,Freedonia,proposed,Semiconductors,ecfr-2024,Introduction ¶3,Chips talk.,,Country\n" +
	"Freedonia,partner,Acme Robotics,,,Trade press,p. 5,Freedonia works with Acme.,,\n"

func TestCSVValid(t *testing.T) {
	db := openSeeded(t)
	before := quadSet(t, db)
	stBefore := stats(t, db)
	res, err := load(t, db, "edges.csv", validCSV, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 1 || len(res.Errors) != 0 {
		t.Errorf("result %+v", res)
	}
	var added []string
	for _, q := range allQuads(t, db) {
		if !before[q] {
			added = append(added, q)
		}
	}
	if int64(len(added)) != res.Added {
		t.Errorf("%d new quads in the store, the result says %d", len(added), res.Added)
	}
	have := quadSet(t, db)
	const (
		jk   = "stmt:japan/partner/south-korea"
		acme = "stmt:acme-robotics/supplies/japan/robotics"
		coop = "stmt:japan/cooperation/freedonia/semiconductors"
	)
	for _, q := range []string{
		// Tokyo and ROK are aliases of seed entities.
		nq(iri("entity:japan"), iri("rel:partner"), iri("entity:south-korea"), iri(jk)),
		nq(iri(jk), graph.PredType, graph.TypeStatement, nil),
		nq(iri(jk), iri("q:status"), str("existing"), nil),
		// created by subject_type, with the name as written
		nq(iri("entity:acme-robotics"), graph.PredType, iri("type:Organisation"), nil),
		nq(iri("entity:acme-robotics"), graph.PredName, str("Acme Robotics"), nil),
		nq(iri("entity:acme-robotics"), iri("rel:supplies"), iri("entity:japan"), iri(acme)),
		// a sector the graph lacks is created, and is part of the statement id
		nq(iri("entity:robotics"), graph.PredType, iri("type:Sector"), nil),
		nq(iri(acme), iri("q:sector"), iri("entity:robotics"), nil),
		// created by object_type; a seed sector by name
		nq(iri("entity:freedonia"), graph.PredType, iri("type:Country"), nil),
		nq(iri(coop), iri("q:sector"), iri("entity:semiconductors"), nil),
		nq(iri(coop), iri("q:status"), str("proposed"), nil),
		// entities created by earlier rows are found by later ones
		nq(iri("entity:freedonia"), iri("rel:partner"), iri("entity:acme-robotics"), iri("stmt:freedonia/partner/acme-robotics")),
		// a new source is declared by its cell
		nq(iri("source:trade-press"), graph.PredType, graph.TypeSource, nil),
		nq(iri("source:trade-press"), graph.PredName, str("Trade press"), nil),
	} {
		if !have[q] {
			t.Errorf("store lacks %s", q)
		}
	}
	// Evidence: the repeated relation has two pieces (the exact repeat of
	// a row adds none); each carries source, locator and note.
	evidence := map[string]int{}
	for _, q := range added {
		if strings.Contains(q, "<ev:evidence>") {
			evidence[strings.Fields(q)[0]]++
		}
	}
	if evidence["<"+jk+">"] != 2 || evidence["<"+acme+">"] != 1 || evidence["<"+coop+">"] != 1 {
		t.Errorf("evidence per statement: %v", evidence)
	}
	var notes []string
	for _, q := range added {
		if strings.Contains(q, "<ev:note>") {
			notes = append(notes, q[strings.Index(q, "<ev:note>")+len("<ev:note> "):])
		}
	}
	want := []string{`"A second note." .`, `"Acme sells robots, many, to Japan." .`, `"Chips talk." .`, `"Freedonia works with Acme." .`, `"The two are partners." .`}
	if strings.Join(notes, "|") != strings.Join(want, "|") {
		// allQuads is sorted by quad, so compare as sets
		set := map[string]bool{}
		for _, n := range notes {
			set[n] = true
		}
		for _, w := range want {
			if !set[w] {
				t.Errorf("no evidence note %s (notes: %v)", w, notes)
			}
		}
		if len(notes) != len(want) {
			t.Errorf("%d notes, want %d: %v", len(notes), len(want), notes)
		}
	}
	// The existing source is not declared again.
	for _, q := range added {
		if strings.HasPrefix(q, "<source:ecfr-2024>") {
			t.Errorf("the seed's source was redeclared: %s", q)
		}
	}
	// Statistics: three new entities (acme, freedonia, robotics) and four
	// new relations.
	for q := range before {
		if strings.HasPrefix(q, "<entity:japan> <rel:partner> <entity:south-korea>") {
			t.Fatal("the seed graph has japan -partner-> south-korea; the test wants a new relation")
		}
	}
	st := stats(t, db)
	if st.Relations != stBefore.Relations+4 {
		t.Errorf("%d relations, want %d", st.Relations, stBefore.Relations+4)
	}
	if st.Entities != stBefore.Entities+3 {
		t.Errorf("%d entities, want %d", st.Entities, stBefore.Entities+3)
	}
	if st.EntitiesByType["Sector"] != stBefore.EntitiesByType["Sector"]+1 {
		t.Errorf("sectors: %d, want one more than %d", st.EntitiesByType["Sector"], stBefore.EntitiesByType["Sector"])
	}
	// Loading the file again adds nothing.
	snap := snapshot(t, db)
	res, err = load(t, db, "edges.csv", validCSV, nil)
	if err != nil || res.Added != 0 {
		t.Errorf("second load: %+v %v", res, err)
	}
	if snapshot(t, db) != snap {
		t.Errorf("the second load changed the store")
	}
}

// TestCSVColumnOrder loads an edge list of the six required columns in
// another order, with a byte-order mark and odd case and spacing in the
// header.
func TestCSVColumnOrder(t *testing.T) {
	db := openSeeded(t)
	res, err := load(t, db, "edges.csv", "\ufeffNote, Locator ,source,OBJECT,relation,subject\n"+
		"Seoul and Tokyo.,Introduction ¶1,ecfr-2024,Seoul,partner,Tokyo\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Read == 0 {
		t.Errorf("nothing read")
	}
	wantQuads(t, db, nq(iri("entity:japan"), iri("rel:partner"), iri("entity:south-korea"), iri("stmt:japan/partner/south-korea")))
}

// csvErrorCases pin the whole message of each error, position included.
var csvErrorCases = []struct{ name, src, want string }{
	{"conflicting qualifiers",
		"subject,relation,object,status,source,locator,note\n" +
			"Tokyo,partner,ROK,existing,ecfr-2024,Introduction ¶1,a\n" +
			"Japan,partner,South Korea,proposed,ecfr-2024,Introduction ¶2,b\n",
		`e.csv:3:1: this row's relation is the one at line 2 with other qualifiers (status=proposed vs status=existing); a relation has one set of qualifiers`},
	{"conflicting qualifiers, one missing",
		"subject,relation,object,status,source,locator,note\n" +
			"Tokyo,partner,ROK,,ecfr-2024,Introduction ¶1,a\n" +
			"Japan,partner,South Korea,proposed,ecfr-2024,Introduction ¶2,b\n",
		`e.csv:3:1: this row's relation is the one at line 2 with other qualifiers (status=proposed vs none); a relation has one set of qualifiers`},
	{"id not a word",
		"subject,relation,object,id,source,locator,note\n" +
			"Japan,partner,South Korea,in g7,ecfr-2024,Introduction ¶1,a\n",
		`e.csv:2:27: id "in g7": an id is a word (letters, digits, - and _), with no /, space or quote`},
	{"unknown column",
		"subject,relation,object,stauts,source,locator,note\n",
		`e.csv:1:25: unknown column "stauts" (did you mean status?) (columns: ` + csvColumns + `)`},
	{"column twice",
		"subject,relation,object,source,locator,note,subject\n",
		`e.csv:1:45: column "subject" appears twice`},
	{"missing evidence column",
		"subject,relation,object,source,locator\nTokyo,partner,ROK,ecfr-2024,x\n",
		`e.csv:1:1: missing evidence column "note" (a CSV edge list needs subject, relation, object, source, locator, note)`},
	{"missing required column",
		"subject,object,source,locator,note\n",
		`e.csv:1:1: missing column "relation" (a CSV edge list needs subject, relation, object, source, locator, note)`},
	{"empty evidence cell",
		"subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,,a\n",
		`e.csv:2:29: missing evidence locator: every row needs source, locator and note`},
	{"empty note",
		"subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,x,\n",
		`e.csv:2:31: missing evidence note: every row needs source, locator and note`},
	{"unknown subject with suggestion",
		"subject,relation,object,source,locator,note\nTokio,partner,ROK,ecfr-2024,x,a\n",
		`e.csv:2:1: unknown subject "Tokio" (did you mean Tokyo?)`},
	{"unknown subject",
		"subject,relation,object,source,locator,note\nNowhere Land,partner,ROK,ecfr-2024,x,a\n",
		`e.csv:2:1: unknown subject "Nowhere Land": no entity has this name, alias or id; to add it, declare it above in a row of its own (Nowhere Land,type,TYPE), or load with --create`},
	{"unknown object",
		"subject,relation,object,source,locator,note\nTokyo,partner,Atlantis,ecfr-2024,x,a\n",
		`e.csv:2:15: unknown object "Atlantis": no entity has this name, alias or id; to add it, declare it above in a row of its own (Atlantis,type,TYPE), or load with --create`},
	{"empty subject",
		"subject,relation,object,source,locator,note\n,partner,ROK,ecfr-2024,x,a\n",
		`e.csv:2:1: the subject is empty`},
	{"unknown relation kind",
		"subject,relation,object,source,locator,note\nTokyo,partnr,ROK,ecfr-2024,x,a\n",
		`e.csv:2:7: unknown relation kind "partnr" (did you mean partner?)`},
	{"domain violation",
		"subject,relation,object,source,locator,note\nTokyo,leads,ROK,ecfr-2024,x,a\n",
		`e.csv:2:1: leads needs a subject of type Person; "Tokyo" is a Country`},
	{"bad status",
		"subject,relation,object,status,source,locator,note\nTokyo,partner,ROK,planned,ecfr-2024,x,a\n",
		`e.csv:2:19: unknown status "planned" (expected existing, proposed, potential, at_risk, lapsed)`},
	{"sector that is a country",
		"subject,relation,object,sector,source,locator,note\nTokyo,cooperation,ROK,Japan,ecfr-2024,x,a\n",
		`e.csv:2:23: sector "Japan" is not a Sector entity of the graph`},
	{"unknown entity type",
		"subject,relation,object,source,locator,note,subject_type\nNew Place,partner,ROK,ecfr-2024,x,a,Countyr\n",
		`e.csv:2:37: unknown entity type "Countyr" (did you mean Country?)`},
	{"a typo with a type is not a new entity",
		"subject,relation,object,source,locator,note,subject_type\nJpan,partner,India,ecfr-2024,x,a,Country\n",
		`e.csv:2:1: unknown subject "Jpan" (did you mean Japan?)`},
	{"declared name whose id is taken",
		"subject,relation,object,source,locator,note\nJAPAN!,type,Country,,,\n",
		`e.csv:2:1: cannot create "JAPAN!": id <entity:japan> is taken by a Country with another name`},
	{"unknown sector",
		"subject,relation,object,sector,source,locator,note\nTokyo,cooperation,ROK,Semiconductor,ecfr-2024,x,a\n",
		`e.csv:2:23: unknown sector "Semiconductor" (did you mean Semiconductors?)`},
	{"unknown instrument",
		"subject,relation,object,instrument,source,locator,note\nTokyo,cooperation,ROK,Quantum umbrella,ecfr-2024,x,a\n",
		`e.csv:2:23: unknown instrument "Quantum umbrella": no policy has this name, alias or id; to add it, declare it above in a row of its own (Quantum umbrella,type,Policy), or load with --create`},
	{"a kind by another word",
		"subject,relation,object,source,locator,note\nTokyo,alliance,Seoul,ecfr-2024,x,a\n",
		`e.csv:2:7: unknown relation kind "alliance" (did you mean ally?)`},
	{"declaration with evidence",
		"subject,relation,object,source,locator,note\nHanwha,type,Organisation,ecfr-2024,,\n",
		`e.csv:2:26: a declaration row (type) takes no source: leave the cell empty`},
	{"declaration of an unknown type",
		"subject,relation,object,source,locator,note\nHanwha,type,Shipyard,,,\n",
		`e.csv:2:13: unknown entity type "Shipyard"`},
	{"declaration contradicting the store",
		"subject,relation,object,source,locator,note\nTokyo,type,Person,,,\n",
		`e.csv:2:12: entity "japan" is a Country in the store; it cannot also be a Person (an entity has one type)`},
	{"source declared after it is cited",
		"subject,relation,object,source,locator,note\nTokyo,partner,ROK,Trade press,x,a\nTrade press,title,The Trade Press,,,\n",
		`e.csv:3:1: source "Trade press" is cited above; declare its title before the rows that cite it`},
	{"source date not a date",
		"subject,relation,object,source,locator,note\nTrade press,date,last spring,,,\n",
		`e.csv:2:18: date "last spring": ` + dateError("last spring")},
	{"valid time not a date",
		"subject,relation,object,valid_from,source,locator,note\nTokyo,partner,ROK,soon,ecfr-2024,x,a\n",
		`e.csv:2:19: valid_from "soon": ` + dateError("soon")},
	{"one column: another separator",
		"subject|relation|object|source|locator|note\nTokyo|partner|ROK|ecfr-2024|x|a\n",
		`e.csv:1:1: the header is one column "subject|relation|object|source|locator|note": the fields must be separated by commas (or semicolons or tabs)`},
	{"too few fields",
		"subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,x\n",
		`e.csv:2:1: expected 6 fields as in the header, found 5`},
	{"bare quote",
		"subject,relation,object,source,locator,note\nTokyo,partner,\"ROK,ecfr-2024,x,a\n",
		`e.csv:2:15: the quoted field that starts here is not closed: the file ends inside it (a stray '"'?)`},
	{"empty file", "", `e.csv:1:1: empty file: expected a header line (subject,relation,object,source,locator,note)`},
	{"only comments", "# nothing\n# here\n", `e.csv:1:1: empty file: expected a header line (subject,relation,object,source,locator,note)`},
	{"error after a comment and a quoted line break",
		"subject,relation,object,source,locator,note\n# comment\nTokyo,partner,ROK,ecfr-2024,x,\"two\nlines\"\nTokyo,partnr,ROK,ecfr-2024,x,a\n",
		`e.csv:5:7: unknown relation kind "partnr" (did you mean partner?)`},
}

// csvColumns lists the columns a CSV header may name, as the error for an
// unknown one does: the qualifiers are the vocabulary's.
var csvColumns = func() string {
	cols := []string{"subject", "relation", "object", "source", "locator", "note"}
	for _, q := range graph.QualifierNames() {
		if q != "note" {
			cols = append(cols, q)
		}
	}
	return strings.Join(append(cols, "subject_type", "object_type", "id", "relation_note", "action", "reason", "from"), ", ")
}()

// dateError is graph.ParseDate's error for s.
func dateError(s string) string {
	_, err := graph.ParseDate(s)
	return err.Error()
}

func TestCSVErrors(t *testing.T) {
	db := openSeeded(t)
	before := snapshot(t, db)
	for _, c := range csvErrorCases {
		t.Run(c.name, func(t *testing.T) {
			res, err := loadString(db, "e.csv", c.src, nil)
			if err == nil {
				t.Fatalf("loaded: %+v", res)
			}
			asLoaderError(t, err)
			if got := err.Error(); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
			if !errors.Is(err, loader.ErrInvalid) && !errors.Is(err, loader.ErrSyntax) {
				t.Errorf("error %v is neither ErrInvalid nor ErrSyntax", err)
			}
		})
	}
	if snapshot(t, db) != before {
		t.Errorf("failed loads changed the store")
	}
}

// TestCSVAmbiguous makes "Tokyo" name two entities (an N-Quads file is
// not checked for unique names) and uses it in a CSV row.
func TestCSVAmbiguous(t *testing.T) {
	db := openSeeded(t)
	mustLoad(t, db, "city.nq", "<entity:tokyo-city> <rdf:type> <type:Region> .\n<entity:tokyo-city> <schema:name> \"Tokyo\" .\n", nil)
	before := snapshot(t, db)
	_, err := loadString(db, "e.csv", "subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,x,a\n", nil)
	want := `e.csv:2:1: subject "Tokyo" is ambiguous: it names <entity:japan> (Country, "Japan"), <entity:tokyo-city> (Region, "Tokyo"); use an id`
	if got := errText(err, ""); got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
	// The id resolves it.
	if _, err := loadString(db, "e.csv", "subject,relation,object,source,locator,note\nentity:japan,partner,ROK,ecfr-2024,x,a\n", &loader.Options{DryRun: true}); err != nil {
		t.Errorf("by id: %v", err)
	}
	if snapshot(t, db) != before {
		t.Errorf("the store changed")
	}
}

// TestCSVQualifierConflictWithStore repeats a seed relation with another
// status. Within one file that is an error; it should be one against the
// store too, or the statement ends up with two statuses.
func TestCSVQualifierConflictWithStore(t *testing.T) {
	db := openSeeded(t)
	// The seed says: eu -dialogue_with-> asean, sector trade, proposed.
	wantQuads(t, db, nq(iri("stmt:eu/dialogue_with/asean/trade"), iri("q:status"), str("proposed"), nil))
	_, err := loadString(db, "e.csv", "subject,relation,object,status,sector,source,locator,note\n"+
		"EU,dialogue_with,ASEAN,existing,Trade,ecfr-2024,Introduction ¶1,They talk.\n", nil)
	want := `e.csv:2:24: stmt:eu/dialogue_with/asean/trade already has status "proposed" in the store; this row says "existing"`
	if got := errText(err, ""); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if !errors.Is(err, loader.ErrInvalid) {
		t.Errorf("error %v is not ErrInvalid", err)
	}
	var statuses []string
	for _, q := range allQuads(t, db) {
		if strings.HasPrefix(q, "<stmt:eu/dialogue_with/asean/trade> <q:status>") {
			statuses = append(statuses, q)
		}
	}
	if len(statuses) != 1 {
		t.Errorf("the statement has %d statuses: %v", len(statuses), statuses)
	}
	// The same status again is no conflict: it adds the row's evidence.
	res, err := loadString(db, "e.csv", "subject,relation,object,status,sector,source,locator,note\n"+
		"EU,dialogue_with,ASEAN,proposed,Trade,ecfr-2024,Introduction ¶1,They talk.\n", nil)
	if err != nil || res.Added == 0 {
		t.Errorf("the stored status again: %+v %v", res, err)
	}
}

// TestCSVColumnsInCharacters checks that columns count characters, as
// loader.Error documents, also after multi-byte text in a row.
func TestCSVColumnsInCharacters(t *testing.T) {
	_, err := loadString(openSeeded(t), "e.csv", "subject,relation,object,locator,status,source,note\n"+
		"Tokyo,partner,ROK,Japan › x ¶1,planned,ecfr-2024,a\n", nil)
	le := asLoaderError(t, err)
	// "Tokyo,partner,ROK,Japan › x ¶1," is 31 characters: status starts at 32.
	if le.Line != 2 || le.Col != 32 {
		t.Errorf("error at %d:%d, want 2:32 (columns count characters): %v", le.Line, le.Col, err)
	}
}

// TestCSVLongLine checks the line cap on CSV input: reading stops at the
// line over it.
func TestCSVLongLine(t *testing.T) {
	db := openSeeded(t)
	src := "subject,relation,object,source,locator,note\nTokyo,partner,ROK,ecfr-2024,x," + strings.Repeat("n", 3000) + "\n"
	_, err := loadString(db, "e.csv", src, &loader.Options{Limits: loader.Limits{MaxLine: 1000}})
	if !errors.Is(err, loader.ErrLimit) {
		t.Fatalf("error %v, want ErrLimit", err)
	}
	if got, want := errText(err, ""), "e.csv:2:1: line is longer than the limit of 1000 bytes (--max-line); reading stopped there"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	// A dry run lists the errors before it, and reads nothing after it.
	res, err := loadString(db, "e.csv", "subject,relation,object,source,locator,note\nTokyo,partnr,ROK,ecfr-2024,x,a\n"+src[45:]+"Seoul,partner,New Delhi,ecfr-2024,Introduction ¶1,A note.\n",
		&loader.Options{DryRun: true, Limits: loader.Limits{MaxLine: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(errorStrings(res.Errors), "\n")
	want := "e.csv:2:7: unknown relation kind \"partnr\" (did you mean partner?)\ne.csv:3:1: line is longer than the limit of 1000 bytes (--max-line); reading stopped there"
	if got != want || res.Read != 0 {
		t.Errorf("errors:\n%s\nwant:\n%s (%d quads read, want 0)", got, want, res.Read)
	}
}

// TestCSVOpenQuote checks that a quoted field never closed is reported at
// its quote, and that it is not read past the line limit.
func TestCSVOpenQuote(t *testing.T) {
	const head = "subject,relation,object,source,locator,note\n"
	row := "Tokyo,partner,ROK,ecfr-2024,¶1,\"A note.\n"
	for _, c := range []struct {
		name, src string
		max       int
		want      string
	}{
		{"at the end", head + row + "Seoul,partner,New Delhi,ecfr-2024,x,y\n", 0,
			`q.csv:2:32: the quoted field that starts here is not closed: the file ends inside it (a stray '"'?)`},
		{"past the limit", head + row + strings.Repeat("Seoul,partner,New Delhi,ecfr-2024,x,y\n", 100), 1000,
			`q.csv:2:32: the quoted field that starts here runs past the limit of 1000 bytes (--max-line) without its closing '"'; reading stopped`},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "q.csv", c.src)
			_, err := loader.Load(context.Background(), openSeeded(t), []string{path}, &loader.Options{Limits: loader.Limits{MaxLine: c.max}})
			if got := errText(err, path); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestCSVLineCapExact checks the cap at its edge: a line of MaxLine bytes
// (without its ending) loads, one byte more does not.
func TestCSVLineCapExact(t *testing.T) {
	const header = "subject,relation,object,source,locator,note"
	row := "Tokyo,partner,ROK,ecfr-2024,Introduction ¶1,A note."
	for _, c := range []struct {
		max int
		end string
		ok  bool
	}{
		{len(row), "\n", true}, {len(row), "\r\n", true}, {len(row), "", true},
		{len(row) - 1, "\n", false}, {len(row) - 1, "\r\n", false}, {len(row) - 1, "", false},
	} {
		res, err := loadString(openSeeded(t), "cap.csv", header+"\n"+row+c.end, &loader.Options{Limits: loader.Limits{MaxLine: c.max}, DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if ok := len(res.Errors) == 0; ok != c.ok {
			t.Errorf("MaxLine %d, a row of %d bytes + %q: errors %v", c.max, len(row), c.end, res.Errors)
		}
	}
}

// TestCSVErrorColumns checks the columns of the CSV reader's own errors,
// in characters, and after a byte-order mark.
func TestCSVErrorColumns(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"subject,relation,object,source,locator,note\nTōkyō,partner,R\"OK,ecfr-2024,x,a\n", `e.csv:2:16: bare " in non-quoted-field`},
		{"\ufeffsubject,relation,objekt,source,locator,note\n", `e.csv:1:18: unknown column "objekt" (did you mean object?) ` +
			"(columns: " + csvColumns + ")"},
		{"\ufeffsubject,relation,object,source,locator,note\nTokyo,partner,Atlantis,ecfr-2024,x,a\n",
			`e.csv:2:15: unknown object "Atlantis": no entity has this name, alias or id; to add it, declare it above in a row of its own (Atlantis,type,TYPE), or load with --create`},
	} {
		_, err := loadString(openSeeded(t), "e.csv", c.src, nil)
		if got := errText(err, ""); got != c.want {
			t.Errorf("error\n got %s\nwant %s", got, c.want)
		}
	}
}

// TestCSVKeepGoing loads the valid rows and lists the bad ones.
func TestCSVKeepGoing(t *testing.T) {
	db := openSeeded(t)
	res, err := loadString(db, "e.csv", "subject,relation,object,source,locator,note\n"+
		"Tokyo,partnr,ROK,ecfr-2024,x,a\n"+
		"Tokyo,partner,Atlantis,ecfr-2024,x,a\n"+
		"Seoul,partner,New Delhi,ecfr-2024,Introduction ¶1,A note.\n", &loader.Options{KeepGoing: true})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(errorStrings(res.Errors), "\n")
	want := "e.csv:2:7: unknown relation kind \"partnr\" (did you mean partner?)\n" +
		"e.csv:3:15: unknown object \"Atlantis\": no entity has this name, alias or id; to add it, declare it above in a row of its own (Atlantis,type,TYPE), or load with --create"
	if got != want {
		t.Errorf("errors:\n%s\nwant:\n%s", got, want)
	}
	wantQuads(t, db, nq(iri("entity:south-korea"), iri("rel:partner"), iri("entity:india"), iri("stmt:south-korea/partner/india")))
}

// TestCSVNoStore reads a CSV file without a store (a nil Resolver), with
// Create: every entity must then be created by its row.
func TestCSVNoStore(t *testing.T) {
	r := loader.NewCSVReader(strings.NewReader("subject,relation,object,source,locator,note,subject_type,object_type\n"+
		"A,partner,B,src,loc,note,Country,Country\nA,partner,C,src,loc,note,,\n"), "e.csv", nil, 0)
	r.Create = true
	var n int
	var err error
	for {
		if _, err = r.ReadQuad(); err != nil {
			break
		}
		n++
	}
	if n != 16 {
		t.Errorf("%d quads before the error, want 16", n)
	}
	if got, want := errText(err, ""), `e.csv:3:11: unknown object "C": no entity has this name, alias or id; to add it, give its type in the object_type column, or declare it above in a row of its own (C,type,TYPE)`; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// TestCSVFailedRowLeavesNothing checks, with KeepGoing, that a row that
// fails creates no entity and no statement for the rows after it.
func TestCSVFailedRowLeavesNothing(t *testing.T) {
	db := openSeeded(t)
	res, err := loadString(db, "e.csv", "subject,relation,object,source,locator,note,object_type\n"+
		"Tokyo,partner,Freedonia,ecfr-2024,x,,Country\n"+
		"Seoul,partner,Freedonia,ecfr-2024,x,y,\n"+
		"Tokyo,partner,Seoul,ecfr-2024,x,,\n"+
		"Tokyo,partner,Seoul,ecfr-2024,x,y,\n", &loader.Options{KeepGoing: true, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	errs := errorStrings(res.Errors)
	if len(errs) != 3 || !strings.HasPrefix(errs[0], "e.csv:2:37: missing evidence note") ||
		!strings.HasPrefix(errs[1], `e.csv:3:15: unknown object "Freedonia"`) || !strings.HasPrefix(errs[2], "e.csv:4:") {
		t.Errorf("errors:\n%s", strings.Join(errs, "\n"))
	}
	wantQuads(t, db, nq(iri("stmt:japan/partner/south-korea"), graph.PredType, graph.TypeStatement, nil))
	for _, q := range allQuads(t, db) {
		if strings.Contains(q, "freedonia") {
			t.Errorf("a quad of a failed row: %s", q)
		}
	}
}

// TestCSVTypeContradicts checks that a row's subject_type or object_type
// for an entity that exists must be the type it has, as for seed files.
func TestCSVTypeContradicts(t *testing.T) {
	const head = "subject,relation,object,source,locator,note,subject_type,object_type\n"
	for _, c := range []struct{ name, src, want string }{
		{"stored", head + "Tokyo,partner,ROK,ecfr-2024,¶1,A note.,Person,\n",
			`e.csv:2:40: entity "japan" is a Country in the store; it cannot also be a Person (an entity has one type)`},
		{"earlier in the file", head + "Atlantis,type,Country,,,,,\nAtlantis,partner,ROK,ecfr-2024,¶1,A note.,Country,\nROK,partner,Atlantis,ecfr-2024,¶2,A note.,,Sector\n",
			`e.csv:4:44: entity "atlantis" is a Country earlier in this file; it cannot also be a Sector (an entity has one type)`},
		{"unknown type", head + "Tokyo,partner,ROK,ecfr-2024,¶1,A note.,Contry,\n",
			`e.csv:2:40: unknown entity type "Contry" (did you mean Country?)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadString(openSeeded(t), "e.csv", c.src, nil)
			if got := errText(err, ""); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
		})
	}
	// The type it has is fine.
	if _, err := loadString(openSeeded(t), "e.csv", head+"Tokyo,partner,ROK,ecfr-2024,¶1,A note.,Country,country\n", nil); err != nil {
		t.Error(err)
	}
}

package loader_test

import (
	"context"
	"strings"
	"testing"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
)

// TestCSVExample loads the example file of docs/csv.md into the seed
// graph: its declared source, entities and sector, and its relations.
func TestCSVExample(t *testing.T) {
	db := openSeeded(t)
	res, err := loader.Load(context.Background(), db, []string{"../examples/csv/korea-shipbuilding.csv"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Added == 0 {
		t.Fatalf("nothing added: %+v", res)
	}
	wantQuads(t, db,
		nq(iri("source:naval-brief"), graph.PredType, graph.TypeSource, nil),
		nq(iri("source:naval-brief"), graph.PredName, str("Shipyards and alliances: an example briefing"), nil),
		nq(iri("source:naval-brief"), graph.PredDate, str("2024-12-01"), nil),
		nq(iri("source:naval-brief"), graph.PredPublisher, str("Entente examples"), nil),
		nq(iri("entity:hanwha-ocean"), graph.PredType, iri("type:Organisation"), nil),
		nq(iri("entity:shipbuilding"), graph.PredType, iri("type:Sector"), nil),
		// Seoul and Washington are aliases of the seed's entities.
		nq(iri("entity:united-states"), iri("rel:seeks_from"), iri("entity:south-korea"), iri("stmt:united-states/seeks_from/south-korea/shipbuilding")),
		nq(iri("stmt:hanwha-ocean/supplies/united-states/shipbuilding"), iri("q:sector"), iri("entity:shipbuilding"), nil),
	)
	// Loading it again changes nothing: the declarations are of what
	// the graph now holds.
	again, err := loader.Load(context.Background(), db, []string{"../examples/csv/korea-shipbuilding.csv"}, nil)
	if err != nil || again.Added != 0 {
		t.Errorf("loading the example again: %+v, %v", again, err)
	}
}

// TestCSVTyposRefused: a name, sector or kind the graph lacks is an error
// with the closest names, not a new entity — unless declared or Create.
func TestCSVTyposRefused(t *testing.T) {
	const head = "subject,relation,object,sector,source,locator,note,subject_type,object_type\n"
	for _, c := range []struct{ name, src, want string }{
		{"entity", head + "Jpan,partner,India,,ecfr-2024,x,a,Country,Country\n", `e.csv:2:1: unknown subject "Jpan" (did you mean Japan?)`},
		{"sector", head + "Japan,cooperation,India,Semiconductor,ecfr-2024,x,a,,\n", `e.csv:2:25: unknown sector "Semiconductor" (did you mean Semiconductors?)`},
		{"kind", head + "Japan,alliance,India,,ecfr-2024,x,a,,\n", `e.csv:2:7: unknown relation kind "alliance" (did you mean ally?)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openSeeded(t)
			before := snapshot(t, db)
			_, err := loadString(db, "e.csv", c.src, nil)
			if got := errText(err, ""); got != c.want {
				t.Errorf("error\n got %s\nwant %s", got, c.want)
			}
			if snapshot(t, db) != before {
				t.Error("the failed load changed the store")
			}
		})
	}

	// With Create, the row's types create what the graph lacks.
	db := openSeeded(t)
	if _, err := loadString(db, "e.csv", head+"Atlantis,cooperation,India,Deep sea mining,ecfr-2024,x,a,Country,\n", &loader.Options{Create: true}); err != nil {
		t.Fatal(err)
	}
	wantQuads(t, db,
		nq(iri("entity:atlantis"), graph.PredType, iri("type:Country"), nil),
		nq(iri("entity:deep-sea-mining"), graph.PredType, iri("type:Sector"), nil))
}

// TestCSVSeparators reads semicolon- and tab-separated files, told from
// their header line.
func TestCSVSeparators(t *testing.T) {
	for _, sep := range []string{";", "\t"} {
		src := strings.Join([]string{"subject", "relation", "object", "sector", "source", "locator", "note"}, sep) + "\n" +
			strings.Join([]string{"Tokyo", "cooperation", "ROK", "Semiconductors", "ecfr-2024", "Introduction ¶1", "A note, with a comma."}, sep) + "\n"
		db := openSeeded(t)
		if _, err := loadString(db, "e.csv", src, nil); err != nil {
			t.Fatalf("%q: %v", sep, err)
		}
		wantQuads(t, db, nq(iri("entity:japan"), iri("rel:cooperation"), iri("entity:south-korea"), iri("stmt:japan/cooperation/south-korea/semiconductors")))
	}
	// An error's position and its declaration hint use the file's separator.
	_, err := loadString(openSeeded(t), "e.csv", "subject;relation;object;source;locator;note\nTokyo;partner;Atlantis;ecfr-2024;x;a\n", nil)
	if got, want := errText(err, ""), `e.csv:2:15: unknown object "Atlantis": no entity has this name, alias or id; to add it, declare it above in a row of its own (Atlantis;type;TYPE), or load with --create`; got != want {
		t.Errorf("error\n got %s\nwant %s", got, want)
	}
}

// TestCSVSourceDeclared: a source's title and date name it in the graph.
func TestCSVSourceDeclared(t *testing.T) {
	db := openSeeded(t)
	_, err := loadString(db, "e.csv", "subject,relation,object,source,locator,note\n"+
		"Trade press,title,The Trade Press Weekly,,,\nTrade press,date,2025-01-15,,,\n"+
		"Tokyo,partner,ROK,Trade press,p. 4,A note.\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantQuads(t, db,
		nq(iri("source:trade-press"), graph.PredName, str("The Trade Press Weekly"), nil),
		nq(iri("source:trade-press"), graph.PredDate, str("2025-01-15"), nil))
}

// TestCSVHeaderAfterComments: an error in a header after comment lines
// is at the header's line.
func TestCSVHeaderAfterComments(t *testing.T) {
	_, err := loadString(openSeeded(t), "e.csv", "# exported\n# query: show Japan\nname,id,type\n", nil)
	if got := errText(err, ""); !strings.HasPrefix(got, `e.csv:3:1: unknown column "name"`) {
		t.Errorf("error %s", got)
	}
}

// TestCSVAliasRows: an alias row names an entity declared above or in the
// graph; the rows after it use the alias; an alias of another entity is an
// error; a relation_note column is the relation's note.
func TestCSVAliasRows(t *testing.T) {
	db := openSeeded(t)
	src := "subject,relation,object,relation_note,source,locator,note\n" +
		"Hanwha Ocean,type,Organisation,,,,\n" +
		"Hanwha Ocean,alias,Hanwha,,,,\n" +
		"Japan,alias,Nihon,,,,\n" +
		"Hanwha,partner,Nihon,a made-up link for the test,ecfr-2024,Introduction ¶1,Hanwha works with Japan in this test.\n"
	if _, err := loadString(db, "e.csv", src, nil); err != nil {
		t.Fatal(err)
	}
	wantQuads(t, db,
		nq(iri("entity:hanwha-ocean"), graph.PredAlias, str("Hanwha"), nil),
		nq(iri("entity:japan"), graph.PredAlias, str("Nihon"), nil),
		nq(iri("entity:hanwha-ocean"), iri("rel:partner"), iri("entity:japan"), iri("stmt:hanwha-ocean/partner/japan")),
		nq(iri("stmt:hanwha-ocean/partner/japan"), iri("q:note"), str("a made-up link for the test"), nil),
	)
	_, err := loadString(openSeeded(t), "e.csv", "subject,relation,object,source,locator,note\nIndia,alias,Tokyo,,,\n", nil)
	if got := errText(err, ""); !strings.HasPrefix(got, `e.csv:2:13: the alias "Tokyo" is a name of entity:japan already`) {
		t.Errorf("error %s", got)
	}
}

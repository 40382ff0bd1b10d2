package seeds_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/entente-kg/entente/graph"
	"github.com/entente-kg/entente/loader"
	"github.com/entente-kg/entente/seeds"
)

// sourcePath is the commentary the seed graph is built from, relative to
// this package's directory (the repository's parent holds shared/).
const sourcePath = "../../shared/source/ecfr-europe-indo-pacific-2024.txt"

// requiredKinds are the relation kinds the data model's requirements
// (shared/docs/data-model.md) name; the seed graph must use each.
var requiredKinds = []string{
	"partner", "ally", "security_pact", "tariff_exposure", "trading_partner",
	"trade_surplus_with", "security_guarantee", "troops_in", "member_of",
	"participant_in", "proposes", "leads", "seeks_from", "supplies", "invests_in",
	"tension_with", "threat_to", "border_agreement",
}

// openMem opens an empty in-memory store.
func openMem(t *testing.T) *graph.DB {
	t.Helper()
	db, err := graph.Open("", &graph.Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func statsJSON(t *testing.T, db *graph.DB) string {
	t.Helper()
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// loadSeeds loads the embedded seed graph into a new store.
func loadSeeds(t *testing.T) (*graph.DB, *loader.Result) {
	t.Helper()
	db := openMem(t)
	res, err := loader.LoadSources(context.Background(), db, seeds.Sources(), nil)
	if err != nil {
		t.Fatalf("the seed graph does not load: %v", err)
	}
	return db, res
}

func TestNamesAndSources(t *testing.T) {
	names := seeds.Names()
	if len(names) == 0 {
		t.Fatal("no embedded seed files")
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("Names() is not in load order: %v", names)
	}
	srcs := seeds.Sources()
	if len(srcs) != len(names) {
		t.Fatalf("%d sources for %d names", len(srcs), len(names))
	}
	for i, src := range srcs {
		if src.Name != "seeds/"+names[i] || src.Format != loader.Seed {
			t.Errorf("source %d is %q (%s), want seeds/%s (seed)", i, src.Name, src.Format, names[i])
		}
		data, err := seeds.Read(names[i])
		if err != nil {
			t.Fatal(err)
		}
		if src.Size != int64(len(data)) {
			t.Errorf("%s: Size %d, want %d", src.Name, src.Size, len(data))
		}
		rc, err := src.Open()
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
}

func TestSeedGraphLoads(t *testing.T) {
	db, res := loadSeeds(t)
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", res.Errors)
	}
	if res.Files != len(seeds.Names()) || res.Read == 0 || res.Added != res.Read {
		t.Errorf("result %+v: want every file read and every quad new", res)
	}
	// A dry run reports no errors either.
	dry, err := loader.LoadSources(context.Background(), openMem(t), seeds.Sources(), &loader.Options{DryRun: true})
	if err != nil || len(dry.Errors) > 0 {
		t.Errorf("dry run: %v %v", err, dry.Errors)
	}
	if dry.Read != res.Read {
		t.Errorf("dry run read %d quads, the load %d", dry.Read, res.Read)
	}
	rep, err := db.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("store check after the seed load: %v", rep.Problems)
	}
}

func TestSeedGraphIdempotent(t *testing.T) {
	ctx := context.Background()
	db, _ := loadSeeds(t)
	first := statsJSON(t, db)
	res, err := loader.LoadSources(ctx, db, seeds.Sources(), nil)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	if res.Added != 0 {
		t.Errorf("second load added %d quads", res.Added)
	}
	if second := statsJSON(t, db); second != first {
		t.Errorf("stats changed on the second load:\n%s\n%s", first, second)
	}
}

func TestSeedGraphCoverage(t *testing.T) {
	ctx := context.Background()
	db, _ := loadSeeds(t)
	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities <= 60 {
		t.Errorf("%d entities, want more than 60", st.Entities)
	}
	if st.Relations <= 150 {
		t.Errorf("%d relations, want more than 150", st.Relations)
	}
	for _, k := range requiredKinds {
		if st.RelationsByKind[k] == 0 {
			t.Errorf("no %s relation in the seed graph", k)
		}
	}
	if n := st.EntitiesByType["ProposedFormat"]; n < 5 {
		t.Errorf("%d ProposedFormat entities, want at least 5", n)
	}
	if n := st.EntitiesByType["Event"]; n < 4 {
		t.Errorf("%d Event entities, want at least 4", n)
	}
	// Every type of the model's requirements is present.
	for _, typ := range []string{"Country", "Bloc", "Organisation", "Group", "Person", "Sector", "Agreement", "Forum", "ProposedFormat", "Policy", "Region", "Publication"} {
		if st.EntitiesByType[typ] == 0 {
			t.Errorf("no %s entity in the seed graph", typ)
		}
	}
	// The capitals the commentary uses for governments find their
	// country, and only it.
	cat, err := db.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for alias, want := range map[string]string{
		"Tokyo": "entity:japan", "Seoul": "entity:south-korea", "New Delhi": "entity:india",
		"Washington": "entity:united-states", "Beijing": "entity:china",
		"Pyongyang": "entity:north-korea", "Brussels": "entity:eu",
		"ROK": "entity:south-korea", "US": "entity:united-states", "EU": "entity:eu", "UK": "entity:united-kingdom",
		"Europe": "entity:europe", "Europeans": "entity:europe", "ECFR": "entity:ecfr",
		"tokyo": "entity:japan", "NEW DELHI": "entity:india",
	} {
		found := cat.Lookup(alias)
		if len(found) != 1 {
			t.Errorf("Lookup(%q) found %d entities, want 1", alias, len(found))
			continue
		}
		if got := fmt.Sprint(found[0].ID); got != "<"+want+">" {
			t.Errorf("Lookup(%q) = %s, want <%s>", alias, got, want)
		}
	}
}

// TestSeedNamesUnique checks what the seed format promises: every name and
// alias finds exactly one entity.
func TestSeedNamesUnique(t *testing.T) {
	ctx := context.Background()
	db, _ := loadSeeds(t)
	cat, err := db.Catalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cat.Entities {
		if len(e.Types) != 1 {
			t.Errorf("%s has types %v, want exactly one", e.ID, e.Types)
		}
		for _, n := range append([]string{e.Name}, e.Aliases...) {
			if found := cat.Lookup(n); len(found) != 1 {
				t.Errorf("name %q of %s finds %d entities", n, e.ID, len(found))
			}
		}
	}
}

// seedText is one piece of prose in a seed file: an evidence paraphrase, a
// note or a description, with its position.
type seedText struct {
	file string
	line int
	what string
	text string
}

// evidence is one evidence line of a seed file.
type evidence struct {
	file    string
	line    int
	locator string
}

// readSeedFiles collects the locators and prose of every embedded seed file.
func readSeedFiles(t *testing.T) ([]evidence, []seedText) {
	t.Helper()
	var evs []evidence
	var texts []seedText
	for _, name := range seeds.Names() {
		data, err := seeds.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimSpace(line)
			key, value, ok := strings.Cut(trimmed, ":")
			if !ok || trimmed == line || strings.HasPrefix(trimmed, "#") {
				continue // only indented "key: value" lines
			}
			value = strings.TrimSpace(value)
			switch key {
			case "evidence":
				parts := strings.Split(value, "|")
				if len(parts) != 3 {
					t.Errorf("%s:%d: evidence has %d parts", name, i+1, len(parts))
					continue
				}
				evs = append(evs, evidence{name, i + 1, strings.TrimSpace(parts[1])})
				texts = append(texts, seedText{name, i + 1, "paraphrase", strings.TrimSpace(parts[2])})
			case "note", "description":
				texts = append(texts, seedText{name, i + 1, key, value})
			}
		}
	}
	if len(evs) == 0 {
		t.Fatal("no evidence lines found in the seed files")
	}
	return evs, texts
}

// sourceLines returns the source's text lines: not comments, not empty.
func sourceLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(sourcePath))
	if os.IsNotExist(err) {
		t.Skipf("%s is absent", sourcePath)
	} else if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}

// isHeading tells a heading from a paragraph: a short line that does not
// end a sentence.
func isHeading(line string) bool {
	return utf8.RuneCountInString(line) <= 60 && !strings.HasSuffix(line, ".")
}

// normApostrophes makes typographic apostrophes plain ones.
func normApostrophes(s string) string {
	return strings.NewReplacer("’", "'", "‘", "'", "ʼ", "'").Replace(s)
}

// sourceParagraphs maps each heading path of the source ("Japan › What
// Tokyo wants", "Introduction") to its number of paragraphs. A heading
// followed by another heading (or by nothing) is a section; one followed
// by a paragraph is a subsection of the last section.
func sourceParagraphs(lines []string) map[string]int {
	out := map[string]int{}
	path := "Introduction"
	section := ""
	for i, line := range lines {
		if !isHeading(line) {
			out[path]++
			continue
		}
		nextIsHeading := i+1 >= len(lines) || isHeading(lines[i+1])
		if nextIsHeading || section == "" {
			section, path = line, line
		} else {
			path = section + " › " + line
		}
		out[path] += 0 // a heading with no paragraph still exists
	}
	return out
}

var locatorRE = regexp.MustCompile(`^(.+) ¶([0-9]+)$`)

func TestSourceParagraphs(t *testing.T) {
	paras := sourceParagraphs(sourceLines(t))
	// The source's shape, as the seed file's locators use it.
	for path, n := range map[string]int{
		"Introduction":                            4,
		"Japan › What Tokyo wants":                1,
		"Japan › What Trump's return means":       2,
		"Japan › What Europeans should do now":    3,
		"South Korea › What Seoul wants":          1,
		"South Korea › What Trump's return means": 3,
		"India › What Europeans should do now":    8,
	} {
		got := -1
		for p, c := range paras {
			if normApostrophes(p) == path {
				got = c
			}
		}
		if got != n {
			t.Errorf("%s has %d paragraphs, want %d (all: %v)", path, got, n, paras)
		}
	}
}

// TestLocatorsExist checks that every evidence locator names a heading path
// of the source and a paragraph within it.
func TestLocatorsExist(t *testing.T) {
	paras := sourceParagraphs(sourceLines(t))
	norm := map[string]int{}
	for p, n := range paras {
		norm[normApostrophes(p)] = n
	}
	evs, _ := readSeedFiles(t)
	for _, ev := range evs {
		m := locatorRE.FindStringSubmatch(ev.locator)
		if m == nil {
			t.Errorf("%s:%d: locator %q is not \"HEADING › HEADING ¶N\"", ev.file, ev.line, ev.locator)
			continue
		}
		n, _ := strconv.Atoi(m[2])
		count, ok := norm[normApostrophes(m[1])]
		switch {
		case !ok:
			t.Errorf("%s:%d: locator %q: the source has no heading path %q", ev.file, ev.line, ev.locator, m[1])
		case n < 1 || n > count:
			t.Errorf("%s:%d: locator %q: %q has %d paragraphs", ev.file, ev.line, ev.locator, m[1], count)
		}
	}
}

// words splits text into lower-case words, punctuation stripped and
// apostrophes normalised.
func words(s string) []string {
	s = strings.ToLower(normApostrophes(s))
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'')
	})
}

func trimWords(ws []string) []string {
	out := ws[:0:0]
	for _, w := range ws {
		if w = strings.Trim(w, "'"); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// copyRun is the number of consecutive words a paraphrase may not share
// with the source.
const copyRun = 6

// TestParaphrasesOwnWords checks that no paraphrase, note or description
// copies a run of six or more words of the source.
func TestParaphrasesOwnWords(t *testing.T) {
	grams := map[string]bool{}
	for _, line := range sourceLines(t) {
		ws := trimWords(words(line))
		for i := 0; i+copyRun <= len(ws); i++ {
			grams[strings.Join(ws[i:i+copyRun], " ")] = true
		}
	}
	_, texts := readSeedFiles(t)
	checked := 0
	for _, st := range texts {
		ws := trimWords(words(st.text))
		checked++
		for i := 0; i+copyRun <= len(ws); i++ {
			g := strings.Join(ws[i:i+copyRun], " ")
			if grams[g] {
				t.Errorf("%s:%d: %s shares %q with the source: %s", st.file, st.line, st.what, g, st.text)
				break
			}
		}
	}
	if checked < 150 {
		t.Errorf("only %d paraphrases, notes and descriptions checked", checked)
	}
}

// TestWordsHelper pins the tokenizer the copy check relies on.
func TestWordsHelper(t *testing.T) {
	got := strings.Join(trimWords(words("Japan’s EU-Japan “deal”, 28,500 troops — 'quoted'.")), " ")
	if want := "japan's eu japan deal 28 500 troops quoted"; got != want {
		t.Errorf("words = %q, want %q", got, want)
	}
}

// namedInText lists every entity the commentary names, as it names it
// (written from the text, section by section); each must find an entity
// of the seed graph. Left out, as the seed file's header says: the US
// parties, the rules-based order and "Asian partners" in general.
var namedInText = []string{
	// Introduction
	"North Korea", "Russia", "China", "Europe", "Europeans", "Japan", "South Korea", "NATO",
	"India", "the West", "Indo-Pacific", "Donald Trump", "Washington", "US",
	// Japan
	"Tokyo", "United States", "America", "Shigeru Ishiba", "Australia", "Philippines",
	"car-making", "semiconductors", "batteries", "Japanese general election", "Shinzo Abe",
	"EU", "ASEAN", "de-risking", "G7", "EU-Japan Economic Partnership Agreement",
	"Digital Partnership", "Germany", "France", "Italy", "economic 2+2 meetings", "United Kingdom",
	"command and control", "defence industrial production", "US reshoring", "American tariffs",
	"EU-Japan Strategic Partnership",
	// South Korea
	"Seoul", "Korean War", "nuclear umbrella", "Yoon Suk Yeoul", "Korea", "the peninsula",
	"US-South Korea cost-sharing deal", "AI", "export controls", "economic security measures",
	"Pyongyang", "indigenous nuclear weapons programme", "Ukraine", "European Union",
	"defence industrial strategy", "supply chain resilience", "EU-Japan-South Korea trilateral",
	"US-Japan-South Korea trilateral", "US-South Korea alliance", "Trump's re-election",
	// India
	"New Delhi", "Narendra Modi", "Beijing", "cutting-edge technology", "manufacturing",
	"Trump's victory", "Robert Lighthizer", "US trade representative", "pharmaceuticals",
	"Himalayan border deal", "economic security", "green transition", "Vietnam",
	"clean technologies", "US-India clean supply chain initiatives", "Brussels", "member states",
	"competitiveness zone", "Global Energy Transition Forum", "Ministerial on Climate Action",
	"Indonesia", "major emitters", "carbon border adjustment mechanism", "deforestation law",
	"EU+1+1+AP4", "AP4", "cyber security dialogue", "New Zealand", "European Commission",
	"Indo-Pacific envoy", "Commission President's office", "European External Action Service",
	"European Council on Foreign Relations", "ECFR", "the commentary",
}

// TestNamedEntities checks that every entity the text names is in the
// seed graph.
func TestNamedEntities(t *testing.T) {
	db, _ := loadSeeds(t)
	cat, err := db.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range namedInText {
		if len(cat.Lookup(name)) == 0 {
			t.Errorf("the text names %q; the seed graph has no entity by that name", name)
		}
	}
}

// relationBlock is a relation of a seed file: its header, where it is,
// and its detail lines by key.
type relationBlock struct {
	file, header string
	line         int
	details      map[string][]string
}

// readRelations returns the relation blocks of the embedded seed files.
func readRelations(t *testing.T) []relationBlock {
	t.Helper()
	var out []relationBlock
	for _, name := range seeds.Names() {
		data, err := seeds.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		var cur *relationBlock
		for i, line := range strings.Split(string(data), "\n") {
			trimmed := strings.TrimSpace(line)
			switch {
			case trimmed == "" || strings.HasPrefix(trimmed, "#"):
			case trimmed != line: // a detail
				if cur != nil {
					key, value, _ := strings.Cut(trimmed, ":")
					cur.details[key] = append(cur.details[key], strings.TrimSpace(value))
				}
			case strings.Contains(line, "->"):
				out = append(out, relationBlock{file: name, header: line, line: i + 1, details: map[string][]string{}})
				cur = &out[len(out)-1]
			default:
				cur = nil
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no relations found in the seed files")
	}
	return out
}

// TestEveryRelationHasBasis checks that every relation says how the text
// supports it, and that an inference or background knowledge says why in
// a note.
func TestEveryRelationHasBasis(t *testing.T) {
	counts := map[string]int{}
	for _, r := range readRelations(t) {
		basis := r.details["basis"]
		if len(basis) != 1 {
			t.Errorf("%s:%d: %s has %d basis lines, want 1", r.file, r.line, r.header, len(basis))
			continue
		}
		counts[basis[0]]++
		if basis[0] != "stated" && len(r.details["note"]) == 0 {
			t.Errorf("%s:%d: %s is %s without a note saying why", r.file, r.line, r.header, basis[0])
		}
	}
	// Background knowledge is used sparingly.
	if counts["background"]*10 > counts["stated"] {
		t.Errorf("bases %v: background knowledge is more than a tenth of what the text states", counts)
	}
	// The store has the basis of every statement too.
	db, _ := loadSeeds(t)
	st, err := db.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if int64(total) != st.Relations {
		t.Errorf("%d relation blocks with a basis, %d relations in the store", total, st.Relations)
	}
}

// TestAttribution checks that the commentary, not the organisation that
// publishes it, proposes and criticises: ECFR takes no collective
// positions.
func TestAttribution(t *testing.T) {
	for _, r := range readRelations(t) {
		if strings.HasPrefix(r.header, "ecfr ") && !strings.Contains(r.header, "-publishes->") {
			t.Errorf("%s:%d: %s: ECFR itself holds no positions; the commentary (ecfr-commentary-2024) does", r.file, r.line, r.header)
		}
	}
}

// TestHeader checks that the seed file says what it covers and what not.
func TestHeader(t *testing.T) {
	for _, name := range seeds.Names() {
		data, err := seeds.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"# What it covers:", "# What it does not cover:"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("%s: the header lacks %q", name, want)
			}
		}
	}
}

// TestUpgradeFromPreviousEdition loads the previous edition of the seed
// graph (testdata), then the current one: the load is refused with what
// to do, and the store is left as it was.
func TestUpgradeFromPreviousEdition(t *testing.T) {
	ctx := context.Background()
	db := openMem(t)
	old, err := os.ReadFile(filepath.Join("testdata", "europe-indo-pacific-v1.seed"))
	if err != nil {
		t.Fatal(err)
	}
	src := loader.Source{Name: "v1.seed", Format: loader.Seed, Size: int64(len(old)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(old)), nil }}
	if _, err := loader.LoadSources(ctx, db, []loader.Source{src}, nil); err != nil {
		t.Fatalf("the previous edition does not load: %v", err)
	}
	before := statsJSON(t, db)
	_, err = loader.LoadSources(ctx, db, seeds.Sources(), nil)
	want := `the store holds source "ecfr-2024" from an earlier edition (without a version); this file is version 2, and a load does not change stored facts: load it with --replace to replace what the store says with what this edition says, or into a new store`
	if err == nil || !strings.HasSuffix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Errorf("loading the seed graph over the previous edition: %v\nwant one line ending %q", err, want)
	}
	if after := statsJSON(t, db); after != before {
		t.Errorf("the refused load changed the store")
	}
}

package loader

import (
	"errors"
	"strings"

	"github.com/entente-kg/entente/graph"
)

// The change blocks of the seed format: what a file says to retract or
// amend of what the store holds (docs/seed-format.md, "Changes").
//
//	retract SUBJECT -KIND-> OBJECT | stmt:ID | entity NAME
//	  reason: TEXT                  (required)
//	  where: KEY=VALUE, …           (picks one of parallel relations)
//	  all: yes                      (or retracts every one it names)
//
//	amend SUBJECT -KIND-> OBJECT | stmt:ID | entity NAME
//	  reason: TEXT                  (required)
//	  where: KEY=VALUE, …
//	  QUALIFIER: VALUE              (relations; an empty value removes it)
//	  from: DATE                    (a dated change of status)
//	  name: | description: | type: | add_alias: | remove_alias:   (entities)
//
// A change is planned once the load's additions are stored and is part of
// the load's one transaction.

// entityChangeKeys are what an amend of an entity may set.
var entityChangeKeys = []string{"name", "description", "type", "add_alias", "remove_alias"}

// compileChange reads a retract or amend block into an edit.
func (s *SeedReader) compileChange(b *block, verb string, from int) error {
	e := graph.Edit{Retract: verb == "retract", File: s.name, Line: b.line}
	rest := b.src[from:]
	word, at, next := nextWord(b.src, from)
	switch {
	case strings.TrimSpace(rest) == "":
		return s.errf(b.line, endCol(b.src)+1, ErrSyntax, b.src, "%s what? give a relation \"subject -kind-> object\", a statement id (stmt:…) or \"entity NAME\"", verb)
	case word == "entity":
		name, end, err := s.changeName(b, next)
		if err != nil {
			return err
		}
		if end := skipBlank(b.src, end); end < len(b.src) {
			return s.errf(b.line, colAt(b.src, end), ErrSyntax, b.src, "expected the end of the line after the entity, found %s", quoteFound(b.src[end:]))
		}
		e.Target.Entity = name
	case strings.HasPrefix(word, graph.StmtPrefix):
		if end := skipBlank(b.src, next); end < len(b.src) {
			return s.errf(b.line, colAt(b.src, end), ErrSyntax, b.src, "expected the end of the line after the statement id, found %s", quoteFound(b.src[end:]))
		}
		e.Target.Statement = word
	default:
		subj, end, err := s.changeName(b, at)
		if err != nil {
			return err
		}
		kw, kat, kend := nextWord(b.src, end)
		if !strings.HasPrefix(kw, "-") || !strings.HasSuffix(kw, "->") || len(kw) < 4 {
			return s.errf(b.line, colAt(b.src, kat), ErrSyntax, b.src, "expected -kind-> after the subject, found %s", quoteFound(b.src[kat:]))
		}
		kind := kw[1 : len(kw)-2]
		if _, ok := graph.LookupKind(kind); !ok {
			return s.errf(b.line, colAt(b.src, kat+1), ErrInvalid, b.src, "%s", unknownName("relation kind", kind, graph.KindNames()))
		}
		obj, oend, err := s.changeName(b, kend)
		if err != nil {
			return err
		}
		if end := skipBlank(b.src, oend); end < len(b.src) {
			return s.errf(b.line, colAt(b.src, end), ErrSyntax, b.src, "expected the end of the line after the object, found %s", quoteFound(b.src[end:]))
		}
		e.Target.Subject, e.Target.Kind, e.Target.Object = subj, kind, obj
	}
	relation := e.Target.Entity == ""
	known := []string{"reason", "where"}
	if e.Retract && relation {
		known = append(known, "all")
	}
	if !e.Retract {
		if relation {
			known = append(known, "from")
			known = append(known, graph.QualifierNames()...)
		} else {
			known = append(known, entityChangeKeys...)
		}
	}
	if !e.Retract {
		e.Amend.Set = map[string]string{}
	}
	what := map[string]string{"retract": "a retraction", "amend": "an amendment"}[verb] + " of a relation"
	if !relation {
		what = strings.TrimSuffix(what, "a relation") + "an entity"
	}
	for _, d := range b.details {
		if !contains(known, d.key) {
			return s.unknownKey(d, known, what)
		}
		switch d.key {
		case "all":
			switch strings.ToLower(d.value) {
			case "yes", "true":
				e.Target.All = true
			case "no", "false":
			default:
				return s.errf(d.line, d.valueCol, ErrInvalid, d.src, "all: is yes or no (yes: retract every parallel relation the line names)")
			}
		case "reason":
			if d.value == "" {
				return s.errf(d.line, d.valueCol, ErrSyntax, d.src, "reason needs a text: why the fact changes")
			}
			e.Reason = d.value
		case "where":
			if !relation || e.Target.Statement != "" {
				return s.errf(d.line, d.keyCol, ErrInvalid, d.src, "where picks among the parallel relations of SUBJECT -KIND-> OBJECT, not of a statement or an entity")
			}
			if e.Target.Where == nil {
				e.Target.Where = map[string]string{}
			}
			for _, kv := range strings.Split(d.value, ",") {
				k, v, ok := strings.Cut(kv, "=")
				if !ok || strings.TrimSpace(k) == "" {
					return s.errf(d.line, d.valueCol, ErrSyntax, d.src, "where takes KEY=VALUE pairs separated by commas (where: note=trade), found %s", quoteFound(kv))
				}
				e.Target.Where[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		case "from":
			if _, err := graph.ParseDate(d.value); err != nil {
				return s.errf(d.line, d.valueCol, ErrInvalid, d.src, "from: %v", err)
			}
			e.Amend.From = d.value
		case "add_alias", "remove_alias":
			items, _, msg := splitList(d.value)
			if msg != "" {
				return s.errf(d.line, d.valueCol, ErrSyntax, d.src, "%s", msg)
			}
			if d.key == "add_alias" {
				e.Amend.AddAlias = append(e.Amend.AddAlias, items...)
			} else {
				e.Amend.RemoveAlias = append(e.Amend.RemoveAlias, items...)
			}
		default:
			if _, dup := e.Amend.Set[d.key]; dup {
				return s.errf(d.line, d.keyCol, ErrInvalid, d.src, "%s is given twice", d.key)
			}
			e.Amend.Set[d.key] = d.value
		}
	}
	if e.Reason == "" {
		return s.errf(b.line, 1, ErrInvalid, b.src, "a %s needs a reason: line: an indented \"reason: …\" saying why", verb)
	}
	if !e.Retract && len(e.Amend.Set) == 0 && len(e.Amend.AddAlias) == 0 && len(e.Amend.RemoveAlias) == 0 {
		return s.errf(b.line, 1, ErrInvalid, b.src, "nothing to amend: give the new values (status: existing, note: …; for an entity name:, add_alias: …)")
	}
	if e.Amend.From != "" {
		if _, ok := e.Amend.Set["status"]; !ok {
			return s.errf(b.line, 1, ErrInvalid, b.src, "from: dates a change of status: give status: too")
		}
	}
	s.addEdit(e)
	return nil
}

// changeName reads an entity named by a change block at byte offset from:
// a slug or a name of the file or the store, or a quoted name. It returns
// what graph resolves (entity:slug, or the name) and the offset after it.
func (s *SeedReader) changeName(b *block, from int) (string, int, error) {
	at := skipBlank(b.src, from)
	if at >= len(b.src) {
		return "", at, s.errf(b.line, endCol(b.src)+1, ErrSyntax, b.src, "expected an entity (a slug or a \"quoted name\")")
	}
	var name string
	end := at
	if b.src[at] == '"' {
		val, rest, ok := unquote(b.src[at:])
		if !ok {
			return "", at, s.errf(b.line, colAt(b.src, at), ErrSyntax, b.src, "unterminated quoted name")
		}
		name, end = val, len(b.src)-len(rest)
	} else {
		name, _, end = nextWord(b.src, at)
	}
	if r, ok := s.findEntity(name); ok {
		return string(r.id), end, nil
	}
	return "", at, s.errf(b.line, colAt(b.src, at), ErrInvalid, b.src, "%s", unknownName("entity", name, s.slugs()))
}

// addEdit keeps an edit for the load (or this reader, read alone).
func (s *SeedReader) addEdit(e graph.Edit) {
	if s.edits != nil {
		*s.edits = append(*s.edits, e)
		return
	}
	s.ownEdits = append(s.ownEdits, e)
}

// Edits lists the retractions and amendments the file states, once it is
// read (when the reader is part of a load, the load holds them).
func (s *SeedReader) Edits() []graph.Edit { return s.ownEdits }

// editLoadError turns a change that cannot be made into an error at the
// line that states it (other errors pass as they are).
func editLoadError(err error) error {
	if e := editError(err); e != nil {
		return e
	}
	return err
}

func editError(err error) *Error {
	var ee *graph.EditError
	if !errors.As(err, &ee) {
		return nil
	}
	return &Error{File: ee.Edit.File, Line: ee.Edit.Line, Kind: ErrInvalid, Msg: ee.Edit.String() + ": " + strings.TrimPrefix(ee.Err.Error(), "graph: ")}
}

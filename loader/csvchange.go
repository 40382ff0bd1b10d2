package loader

import (
	"fmt"
	"strings"

	"github.com/cayleygraph/quad"

	"github.com/entente-kg/entente/graph"
)

// CSV change rows (docs/csv.md, "Changes"): a row whose action column is
// retract or amend changes what the store holds instead of adding. Its
// reason column says why. The relation cell is a kind, naming the
// relation from subject to object (its sector and id cells, or for a
// retraction any qualifier cell, pick one of parallel relations), or:
//
//	entity        retract: the subject with all its relations
//	alias         retract: the alias in the object cell; amend: add it
//	name          amend: the subject's name becomes the object cell
//	description   amend: the subject's description becomes the object cell
//
// An amendment of a relation sets the qualifier cells it fills (an empty
// cell changes nothing; write "-" to remove a qualifier); from dates a
// change of status.
var (
	csvActions      = []string{"add", "retract", "amend"}
	csvChangeCols   = []string{"action", "reason", "from"}
	csvEntityChange = []string{"entity", "alias", "name", "description"}
)

// changeRow reads a row with a retract or amend action into an edit.
func (c *CSVReader) changeRow(line int, rec []string, action string) error {
	if !contains(csvActions, action) {
		return c.errAt(line, c.colOf("action"), ErrInvalid, "%s", unknownName("action", action, csvActions)+" (the action is add, the default, retract or amend)")
	}
	e := graph.Edit{Retract: action == "retract", File: c.name, Line: line, Reason: c.cell(rec, "reason")}
	if e.Reason == "" {
		col := c.colOf("action")
		if _, ok := c.cols["reason"]; ok {
			col = c.colOf("reason")
		}
		return c.errAt(line, col, ErrInvalid, "a row that does %s needs a reason: why the fact changes (a reason column)", action)
	}
	for _, f := range []string{"source", "locator", "note"} {
		if c.cell(rec, f) != "" {
			return c.errAt(line, c.colOf(f), ErrInvalid, "a row that does %s cites no evidence: leave %s empty (the reason says why)", action, f)
		}
	}
	kindName := strings.ToLower(c.cell(rec, "relation"))
	subj, err := c.changeEnd(line, rec, "subject")
	if err != nil {
		return err
	}
	if contains(csvEntityChange, kindName) {
		e.Target.Entity = subj
		obj := c.cell(rec, "object")
		switch {
		case kindName == "entity" && e.Retract:
			if obj != "" {
				return c.errAt(line, c.colOf("object"), ErrInvalid, "a retraction of an entity takes no object: leave it empty")
			}
		case kindName == "alias" && obj != "":
			e.Amend.Set = map[string]string{}
			if e.Retract {
				e.Retract = false
				e.Amend.RemoveAlias = []string{obj}
			} else {
				e.Amend.AddAlias = []string{obj}
			}
		case (kindName == "name" || kindName == "description") && !e.Retract && obj != "":
			e.Amend.Set = map[string]string{kindName: obj}
		default:
			return c.errAt(line, c.colOf("relation"), ErrInvalid, "%s with %s: retract takes entity (the subject and all its relations) or alias (the object cell); amend takes alias (add it), name or description (the object cell is the new value)", action, kindName)
		}
		c.addEdit(e)
		return nil
	}
	kind, ok := graph.LookupKind(kindName)
	if !ok {
		return c.errAt(line, c.colOf("relation"), ErrInvalid, "%s", fmt.Sprintf("unknown relation kind %q", kindName)+didYouMean(kindName, suggestKind(kindName))+" (or, for an entity: "+strings.Join(csvEntityChange, ", ")+")")
	}
	obj, err := c.changeEnd(line, rec, "object")
	if err != nil {
		return err
	}
	e.Target.Subject, e.Target.Kind, e.Target.Object = subj, kind.Name, obj
	// A sector or an id names the statement, as they do when rows add.
	sector, id := c.cell(rec, "sector"), c.cell(rec, csvID)
	if sector != "" || id != "" {
		stmt := graph.StmtPrefix + slugOf(quad.IRI(subj)) + "/" + kind.Name + "/" + slugOf(quad.IRI(obj))
		if sector != "" {
			found := c.resolve(sector)
			if len(found) != 1 || found[0].Type != "Sector" {
				return c.errAt(line, c.colOf("sector"), ErrInvalid, "%s", c.unknown("sector", sector, "", "Sector"))
			}
			stmt += "/" + slugOf(found[0].ID)
		}
		if id != "" {
			stmt += "/" + id
		}
		e.Target = graph.Target{Statement: stmt}
	}
	if !e.Retract {
		e.Amend.Set = map[string]string{}
	}
	for _, name := range csvQualifiers() {
		v := c.cell(rec, name)
		if v == "" || name == "sector" {
			continue
		}
		if e.Retract {
			if e.Target.Statement != "" {
				continue
			}
			if e.Target.Where == nil {
				e.Target.Where = map[string]string{}
			}
			e.Target.Where[name] = v
			continue
		}
		if v == "-" {
			v = ""
		}
		e.Amend.Set[name] = v
	}
	if v := c.cell(rec, csvRelNote); v != "" && !e.Retract {
		if v == "-" {
			v = ""
		}
		e.Amend.Set["note"] = v
	}
	if from := c.cell(rec, "from"); from != "" {
		if e.Retract {
			return c.errAt(line, c.colOf("from"), ErrInvalid, "from dates an amendment of status, not a retraction")
		}
		if _, err := graph.ParseDate(from); err != nil {
			return c.errAt(line, c.colOf("from"), ErrInvalid, "from %q: %v", from, err)
		}
		if _, ok := e.Amend.Set["status"]; !ok {
			return c.errAt(line, c.colOf("from"), ErrInvalid, "from dates a change of status: fill the status cell too")
		}
		e.Amend.From = from
	}
	if !e.Retract && len(e.Amend.Set) == 0 {
		return c.errAt(line, c.colOf("relation"), ErrInvalid, "nothing to amend: fill the qualifier cells to change (status, sector's relations' note in relation_note, …)")
	}
	c.addEdit(e)
	return nil
}

// changeEnd resolves the subject or object of a change row to an entity
// of the graph or of this load (it never creates one).
func (c *CSVReader) changeEnd(line int, rec []string, role string) (string, error) {
	name := c.cell(rec, role)
	if name == "" {
		return "", c.errAt(line, c.colOf(role), ErrInvalid, "the %s is empty", role)
	}
	if r, ok := c.byName[strings.ToLower(name)]; ok {
		return string(r.id), nil
	}
	found := c.resolve(name)
	switch len(found) {
	case 1:
		return string(found[0].ID), nil
	case 0:
		msg := c.unknown(role, name, "", "")
		if i := strings.Index(msg, ")"); strings.Contains(msg, "did you mean") && i > 0 {
			msg = msg[:i+1]
		} else {
			msg = fmt.Sprintf("unknown %s %q: no entity of the graph has this name, alias or id", role, name)
		}
		return "", c.errAt(line, c.colOf(role), ErrInvalid, "%s", msg)
	}
	return "", c.errAt(line, c.colOf(role), ErrInvalid, "%s %q names %d entities: use an id", role, name, len(found))
}

// addEdit keeps an edit for the load (or this reader, read alone).
func (c *CSVReader) addEdit(e graph.Edit) {
	if c.edits != nil {
		*c.edits = append(*c.edits, e)
		return
	}
	c.ownEdits = append(c.ownEdits, e)
}

// Edits lists the retractions and amendments the file states, once it is
// read (when the reader is part of a load, the load holds them).
func (c *CSVReader) Edits() []graph.Edit { return c.ownEdits }

package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Problem is one way a body or a wire struct strays from the contract. Where is a JSON path
// ("$.entities[0].config") or a Go field path ("Integration.Config.Current").
type Problem struct {
	Where string
	What  string
}

func (p Problem) String() string { return p.Where + ": " + p.What }

// Match finds the endpoint of a method and path. Literal segments win over placeholders, so
// /api/v2/integrations/types is the types listing, not an integration named "types".
func Match(method, path string) (Endpoint, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestScore := Endpoint{}, -1
	for _, e := range Endpoints {
		if e.Method != method {
			continue
		}
		pat := strings.Split(strings.Trim(e.Path, "/"), "/")
		if len(pat) != len(segs) {
			continue
		}
		score := 0
		for i, p := range pat {
			switch {
			case strings.HasPrefix(p, "{"):
			case p == segs[i]:
				score++
			default:
				score = -1
			}
			if score < 0 {
				break
			}
		}
		if score > bestScore {
			best, bestScore = e, score
		}
	}
	return best, bestScore >= 0
}

// Check decodes body as one JSON value and reports every field that model lacks, or that
// carries another JSON type than the model's. null is accepted anywhere (the SDK's fields are
// all optional pointers). A body that is not JSON is one problem.
func Check(model string, body []byte) []Problem {
	if _, ok := Models[model]; !ok {
		return []Problem{{"$", fmt.Sprintf("no model %q in the contract", model)}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []Problem{{"$", "not JSON: " + err.Error()}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return []Problem{{"$", "more than one JSON value"}}
	}
	var out []Problem
	checkValue(obj(model), v, "$", &out)
	return out
}

func checkValue(t Type, v any, where string, out *[]Problem) {
	if v == nil {
		return
	}
	bad := func(got string) {
		*out = append(*out, Problem{where, fmt.Sprintf("is %s, the contract says %s", got, t)})
	}
	switch t.Kind {
	case Any:
	case String:
		if _, ok := v.(string); !ok {
			bad(jsonKind(v))
		}
	case DateTime:
		s, ok := v.(string)
		if !ok {
			bad(jsonKind(v))
		} else if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			bad(fmt.Sprintf("the string %q, not an ISO-8601 date-time", s))
		}
	case Boolean:
		if _, ok := v.(bool); !ok {
			bad(jsonKind(v))
		}
	case Number:
		if _, ok := v.(json.Number); !ok {
			bad(jsonKind(v))
		}
	case Integer:
		n, ok := v.(json.Number)
		if !ok {
			bad(jsonKind(v))
		} else if _, err := n.Int64(); err != nil {
			bad("the number " + n.String())
		}
	case Array:
		list, ok := v.([]any)
		if !ok {
			bad(jsonKind(v))
			return
		}
		for i, e := range list {
			checkValue(*t.Elem, e, fmt.Sprintf("%s[%d]", where, i), out)
		}
	case Map:
		m, ok := v.(map[string]any)
		if !ok {
			bad(jsonKind(v))
			return
		}
		for _, k := range sortedKeys(m) {
			checkValue(*t.Elem, m[k], where+"["+k+"]", out)
		}
	case Object:
		m, ok := v.(map[string]any)
		if !ok {
			bad(jsonKind(v))
			return
		}
		model := Models[t.Model]
		for _, k := range sortedKeys(m) {
			ft, known := model.Fields[k]
			if !known {
				*out = append(*out, Problem{where + "." + k, "is not a field of " + t.Model})
				continue
			}
			checkValue(ft, m[k], where+"."+k, out)
		}
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	timeType       = reflect.TypeFor[time.Time]()
)

// Reads reports every field the Go struct type t decodes (by its json tags, recursively) that
// none of models has, or whose Go type could not hold the model's JSON type. It is how the
// client's wire structs are held to the contract: a field the client reads must be one the
// service can send. Several models are for structs that decode either of two answers (the
// login service's own errors, or a gateway's Errorbody). Fields tagged "-" are skipped.
func Reads(t reflect.Type, models ...string) []Problem {
	var out []Problem
	types := make([]Type, len(models))
	for i, m := range models {
		if _, ok := Models[m]; !ok {
			return []Problem{{t.String(), fmt.Sprintf("no model %q in the contract", m)}}
		}
		types[i] = obj(m)
	}
	readsInto(t, types, t.Name(), &out)
	return out
}

// readsInto checks that a value of the model types (any of them) can decode into Go type t.
func readsInto(t reflect.Type, types []Type, where string, out *[]Problem) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType || t.Kind() == reflect.Interface {
		return // takes anything
	}
	var fits []Type
	for _, mt := range types {
		if goHolds(t, mt) {
			fits = append(fits, mt)
		}
	}
	if len(fits) == 0 {
		*out = append(*out, Problem{where, fmt.Sprintf("Go type %s cannot hold %s", t, typeNames(types))})
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if tagName, _, _ := strings.Cut(f.Tag.Get("json"), ","); f.Anonymous && tagName == "" && f.Type.Kind() == reflect.Struct {
				readsInto(f.Type, fits, where, out) // promoted fields
				continue
			}
			name, ok := jsonName(f)
			if !ok {
				continue
			}
			var fieldTypes []Type
			for _, mt := range fits {
				if ft, ok := Models[mt.Model].Fields[name]; ok {
					fieldTypes = append(fieldTypes, ft)
				}
			}
			if len(fieldTypes) == 0 {
				*out = append(*out, Problem{where + "." + f.Name, fmt.Sprintf("reads %q, which is not a field of %s", name, typeNames(fits))})
				continue
			}
			readsInto(f.Type, fieldTypes, where+"."+f.Name, out)
		}
	case reflect.Slice, reflect.Array:
		var elems []Type
		for _, mt := range fits {
			elems = append(elems, *mt.Elem)
		}
		readsInto(t.Elem(), elems, where+"[]", out)
	case reflect.Map:
		var elems []Type
		for _, mt := range fits {
			if mt.Kind == Map {
				elems = append(elems, *mt.Elem)
			}
		}
		if len(elems) > 0 {
			readsInto(t.Elem(), elems, where+"[]", out)
		}
	}
}

// goHolds reports whether encoding/json can decode a value of model type mt into Go type t
// (t is not a pointer, interface or json.RawMessage).
func goHolds(t reflect.Type, mt Type) bool {
	switch mt.Kind {
	case Any:
		return false // only interface{} or RawMessage hold anything, and those returned earlier
	case String:
		return t.Kind() == reflect.String
	case DateTime:
		return t.Kind() == reflect.String || t == timeType
	case Boolean:
		return t.Kind() == reflect.Bool
	case Integer:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Float32, reflect.Float64:
			return true
		}
	case Number:
		return t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64
	case Array:
		return t.Kind() == reflect.Slice || t.Kind() == reflect.Array
	case Map:
		return t.Kind() == reflect.Map && t.Key().Kind() == reflect.String
	case Object:
		// A struct reads named fields; a map[string]X reads them all, so each must fit X.
		if t.Kind() == reflect.Struct && t != timeType {
			return true
		}
		if t.Kind() == reflect.Map && t.Key().Kind() == reflect.String {
			ev := t.Elem()
			if ev.Kind() == reflect.Interface || ev == rawMessageType {
				return true
			}
		}
	}
	return false
}

func jsonName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, true
}

func typeNames(types []Type) string {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.String()
	}
	return strings.Join(names, " or ")
}

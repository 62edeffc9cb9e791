// Command protoschema writes reference_impl/apiserver/_protoschema.py: the protobuf wire schema of
// every type kube-apiserver decodes from an application/vnd.kubernetes.protobuf request body,
// read by reflection from the Go types themselves (the `protobuf:"..."` and `json:"..."` struct
// tags, the Go field types, which types carry custom JSON marshalling).
//
// With -fixtures it instead writes a test fixture: real objects marshalled by the real gogo code
// inside the envelope the protobuf serializer writes, each with the JSON encoding/json gives for
// the object the serializer decodes back from those bytes.
//
// Why reflection and not the generated.proto files: the Python decoder must reproduce what Go's
// encoding/json writes after decoding, and that depends on Go facts the .proto files do not hold
// (pointer or not, omitempty/omitzero, inlined embedded structs, custom MarshalJSON). Why the
// tags are not trusted for wire types: some are stale (JSONSchemaProps.maxProperties says "bytes"
// and is a varint; dependencies says "opt" and is a map), so wire types come from the Go types and
// every type's schema is checked against the bytes its real Marshal writes (see checkAgainstMarshal).
//
//	cd tools/protoschema && go run . -o ../../reference_impl/apiserver/_protoschema.py
//	cd tools/protoschema && go run . -fixtures ../../tests/apiserver/protobuf_fixtures.json
//
// With -decode it is the other side of a differential check: it reads base64 bodies from stdin and
// writes, a JSON line each, {"json": ...} (encoding/json of what the serializer decodes) or
// {"error": "..."}, to compare with what the Python decoder makes of the same bodies.
package main

import (
	"bytes"
	"encoding"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/scheme"
)

// Field flags: the same bit values are documented in the generated module's header.
const (
	flagOmitEmpty = 1 << iota
	flagPointer
	flagRepeated
	flagMap
	flagInline
	flagOmitZero
)

// field is one protobuf field of a Go struct. elem is a scalar kind (see scalarKind) or a type
// name; for a map it is the key's scalar kind and val the value's kind or type name.
type field struct {
	num   int
	name  string
	flags int
	elem  string
	val   string
}

type typeInfo struct {
	name    string
	special string
	fields  []field
	goType  reflect.Type
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	protoUnmarsh  = reflect.TypeFor[interface{ Unmarshal([]byte) error }]()
	protoMarsh    = reflect.TypeFor[interface{ Marshal() ([]byte, error) }]()
)

// special names the types whose JSON is not the plain struct encoding (their own MarshalJSON, see
// the Python decoder for each) or whose wire form is not their Go fields.
var special = map[reflect.Type]string{
	reflect.TypeFor[metav1.Time]():                           "time",
	reflect.TypeFor[metav1.MicroTime]():                      "microtime",
	reflect.TypeFor[metav1.Duration]():                       "duration",
	reflect.TypeFor[metav1.FieldsV1]():                       "fieldsv1",
	reflect.TypeFor[resource.Quantity]():                     "quantity",
	reflect.TypeFor[intstr.IntOrString]():                    "intorstring",
	reflect.TypeFor[runtime.RawExtension]():                  "rawextension",
	reflect.TypeFor[runtime.Unknown]():                       "unknown",
	reflect.TypeFor[apiextv1.JSON]():                         "json",
	reflect.TypeFor[apiextv1.JSONSchemaPropsOrBool]():        "orbool",
	reflect.TypeFor[apiextv1.JSONSchemaPropsOrArray]():       "orarray",
	reflect.TypeFor[apiextv1.JSONSchemaPropsOrStringArray](): "orstringarray",
}

// Time and MicroTime are struct{time.Time} on the Go side and a Timestamp message on the wire;
// Quantity keeps unexported fields and is a message with one string. Their wire fields are stated.
var timestampFields = []field{{1, "seconds", 0, "int64", ""}, {2, "nanos", 0, "int32", ""}}
var statedFields = map[string][]field{
	"time":      timestampFields,
	"microtime": timestampFields,
	"quantity":  {{1, "string", 0, "string", ""}},
}

var pkgPrefixes = []string{
	"k8s.io/api/",
	"k8s.io/apimachinery/pkg/apis/",
	"k8s.io/apimachinery/pkg/api/",
	"k8s.io/apimachinery/pkg/util/",
	"k8s.io/apimachinery/pkg/",
	"k8s.io/apiextensions-apiserver/pkg/apis/",
}

type walker struct {
	types    map[string]*typeInfo
	pkgOf    map[string]string // short package name -> Go package path, to catch collisions
	problems []string
}

func (w *walker) fail(format string, args ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, args...))
}

func (w *walker) typeName(t reflect.Type) string {
	pkg := t.PkgPath()
	short := pkg
	for _, p := range pkgPrefixes {
		if strings.HasPrefix(pkg, p) {
			short = strings.TrimPrefix(pkg, p)
			break
		}
	}
	if prev, ok := w.pkgOf[short]; ok && prev != pkg {
		w.fail("package name %s stands for both %s and %s", short, prev, pkg)
	}
	w.pkgOf[short] = pkg
	return short + "." + t.Name()
}

func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || reflect.PointerTo(t).Implements(iface)
}

// scalarKind is the wire kind of a Go scalar type, "" when t is not one.
func scalarKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Int32:
		return "int32"
	case reflect.Int64:
		return "int64"
	case reflect.Uint32:
		return "uint32"
	case reflect.Uint64:
		return "uint64"
	case reflect.Float64:
		return "double"
	case reflect.Float32:
		return "float"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytes"
		}
	}
	return ""
}

// elemOf names what a value of type t is on the wire: a scalar kind or a (registered) type name.
func (w *walker) elemOf(t reflect.Type, where string) string {
	if sp, ok := special[t]; ok {
		w.visit(t, sp)
		return w.typeName(t)
	}
	if implements(t, jsonMarshaler) || implements(t, textMarshaler) {
		w.fail("%s: %v has its own JSON or text marshalling and is not a known special type", where, t)
	}
	if k := scalarKind(t); k != "" {
		return k
	}
	switch t.Kind() {
	case reflect.Struct:
		w.visit(t, "")
		return w.typeName(t)
	case reflect.Slice, reflect.Map:
		// a named slice with its own proto methods is a message {repeated items = 1} (metav1.Verbs,
		// authentication ExtraValue): on the wire a message, in JSON the list
		if t.Name() != "" && reflect.PointerTo(t).Implements(protoUnmarsh) && t.Kind() == reflect.Slice {
			w.visit(t, "list")
			return w.typeName(t)
		}
	}
	w.fail("%s: unsupported type %v", where, t)
	return "?"
}

func (w *walker) visit(t reflect.Type, sp string) {
	name := w.typeName(t)
	if _, ok := w.types[name]; ok {
		return
	}
	ti := &typeInfo{name: name, special: sp, goType: t}
	w.types[name] = ti
	if fs, ok := statedFields[sp]; ok {
		ti.fields = fs
		return
	}
	if sp == "list" {
		e := t.Elem()
		ti.fields = []field{{1, "items", flagRepeated, w.elemOf(e, name+".items"), ""}}
		return
	}
	if !reflect.PointerTo(t).Implements(protoUnmarsh) {
		w.fail("%s has no protobuf Unmarshal method", name)
	}
	seen := map[int]string{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ptag := f.Tag.Get("protobuf")
		if ptag == "" {
			continue // not on the wire (TypeMeta, RawExtension.Object, ...)
		}
		parts := strings.Split(ptag, ",")
		if len(parts) < 3 {
			w.fail("%s.%s: bad protobuf tag %q", name, f.Name, ptag)
			continue
		}
		num, err := strconv.Atoi(parts[1])
		if err != nil || num <= 0 {
			w.fail("%s.%s: bad field number in %q", name, f.Name, ptag)
			continue
		}
		protoName := ""
		for _, p := range parts[3:] {
			if strings.HasPrefix(p, "name=") {
				protoName = strings.TrimPrefix(p, "name=")
			}
		}
		if prev, ok := seen[num]; ok {
			w.fail("%s: field %d is both %s and %s", name, num, prev, f.Name)
		}
		seen[num] = f.Name

		jname, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		fl := 0
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "omitempty":
				fl |= flagOmitEmpty
			case "omitzero":
				fl |= flagOmitZero
			case "", "inline":
			default:
				w.fail("%s.%s: json option %q is not modelled", name, f.Name, o)
			}
		}
		if sp != "" {
			jname = protoName // a special type's JSON is computed; its fields go by their proto names
		} else if jname == "-" {
			continue // on the wire, never in JSON: the decoder skips it like an unknown field
		} else if jname == "" {
			if f.Anonymous {
				fl |= flagInline
			} else {
				jname = f.Name
			}
		}
		ft := f.Type
		where := name + "." + f.Name
		if ft.Kind() == reflect.Pointer {
			fl |= flagPointer
			ft = ft.Elem()
			if f.Anonymous {
				w.fail("%s: embedded pointers are not modelled", where)
			}
		}
		if fl&flagOmitZero != 0 {
			if s := special[ft]; s != "time" && s != "microtime" {
				w.fail("%s: omitzero is only modelled for Time and MicroTime", where)
			}
		}
		fd := field{num: num, name: jname, flags: fl}
		switch {
		case scalarKind(ft) != "" && special[ft] == "" && !(ft.Name() != "" && ft.Kind() == reflect.Slice && reflect.PointerTo(ft).Implements(protoUnmarsh)):
			if implements(ft, jsonMarshaler) || implements(ft, textMarshaler) {
				w.fail("%s: %v has its own JSON or text marshalling", where, ft)
			}
			fd.elem = scalarKind(ft)
		case ft.Kind() == reflect.Map:
			if reflect.PointerTo(ft).Implements(protoUnmarsh) {
				w.fail("%s: a map type with its own proto methods is not modelled", where)
			}
			kk := ft.Key()
			if kk.Kind() != reflect.String || implements(kk, textMarshaler) {
				w.fail("%s: map key %v is not a plain string", where, kk)
			}
			fd.flags |= flagMap
			fd.elem = "string"
			fd.val = w.elemOf(ft.Elem(), where+"[value]")
		case ft.Kind() == reflect.Slice && special[ft] == "" && !(ft.Name() != "" && reflect.PointerTo(ft).Implements(protoUnmarsh)):
			et := ft.Elem()
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			fd.flags |= flagRepeated
			fd.elem = w.elemOf(et, where+"[]")
		default:
			fd.elem = w.elemOf(ft, where)
		}
		if fd.flags&flagInline != 0 {
			if ti, isType := w.types[fd.elem]; !isType || ti.special != "" || fd.flags&(flagRepeated|flagMap) != 0 {
				w.fail("%s: only embedded plain structs can be inlined", where)
			}
		}
		ti.fields = append(ti.fields, fd)
	}
	sort.Slice(ti.fields, func(i, j int) bool { return ti.fields[i].num < ti.fields[j].num })
}

// wireType is what a field's values are on the wire, by Go type (varint 0, fixed64 1, bytes 2, fixed32 5).
func wireType(elem string) int {
	switch elem {
	case "bool", "int32", "int64", "uint32", "uint64":
		return 0
	case "double":
		return 1
	case "float":
		return 5
	}
	return 2
}

// checkAgainstMarshal sets every field of a fresh value of the type, runs the type's real
// Marshal and compares the field numbers and wire types it writes with the schema: the tags are
// not always right (see the package comment), the generated code is.
func (w *walker) checkAgainstMarshal(ti *typeInfo) {
	if ti.special != "" && ti.special != "orbool" && ti.special != "orarray" && ti.special != "orstringarray" {
		return
	}
	v := reflect.New(ti.goType)
	want := map[int]int{}
	byProto := map[int]reflect.StructField{}
	for i := 0; i < ti.goType.NumField(); i++ {
		f := ti.goType.Field(i)
		if p := f.Tag.Get("protobuf"); p != "" {
			n, _ := strconv.Atoi(strings.Split(p, ",")[1])
			byProto[n] = f
		}
	}
	for _, fd := range ti.fields {
		want[fd.num] = wireType(fd.elem)
		if fd.flags&flagMap != 0 {
			want[fd.num] = 2
		}
		sf, ok := byProto[fd.num]
		if !ok {
			continue
		}
		setNonZero(v.Elem().FieldByIndex(sf.Index))
	}
	m, ok := v.Interface().(interface{ Marshal() ([]byte, error) })
	if !ok {
		w.fail("%s: no Marshal method", ti.name)
		return
	}
	var data []byte
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		data, err = m.Marshal()
	}()
	if err != nil {
		w.fail("%s: Marshal: %v", ti.name, err)
		return
	}
	got := map[int]int{}
	for i := 0; i < len(data); {
		key, n := uvarint(data[i:])
		if n <= 0 {
			w.fail("%s: cannot read its own Marshal output", ti.name)
			return
		}
		i += n
		num, wt := int(key>>3), int(key&7)
		got[num] = wt
		switch wt {
		case 0:
			_, n = uvarint(data[i:])
			i += n
		case 1:
			i += 8
		case 5:
			i += 4
		case 2:
			l, n := uvarint(data[i:])
			i += n + int(l)
		default:
			w.fail("%s: wire type %d in its Marshal output", ti.name, wt)
			return
		}
	}
	for num, wt := range want {
		g, ok := got[num]
		switch {
		case !ok:
			w.fail("%s: field %d was set but Marshal did not write it", ti.name, num)
		case g != wt && !(wt != 2 && g == 2): // repeated scalars are written packed
			w.fail("%s: field %d has wire type %d, the schema says %d", ti.name, num, g, wt)
		}
	}
	for num := range got {
		if _, ok := want[num]; !ok {
			w.fail("%s: Marshal writes field %d, which the schema does not have", ti.name, num)
		}
	}
}

func uvarint(b []byte) (uint64, int) {
	var x uint64
	for i := 0; i < len(b) && i < 10; i++ {
		x |= uint64(b[i]&0x7f) << (7 * i)
		if b[i] < 0x80 {
			return x, i + 1
		}
	}
	return 0, -1
}

// setNonZero gives v a value that Marshal must write.
func setNonZero(v reflect.Value) {
	switch t := v.Type(); {
	case t == reflect.TypeFor[metav1.Time]():
		v.Set(reflect.ValueOf(metav1.Unix(1, 0)))
	case t == reflect.TypeFor[metav1.MicroTime]():
		v.Set(reflect.ValueOf(metav1.NewMicroTime(time.Unix(1, 1000))))
	case t == reflect.TypeFor[resource.Quantity]():
		v.Set(reflect.ValueOf(resource.MustParse("1")))
	case t == reflect.TypeFor[intstr.IntOrString]():
		v.Set(reflect.ValueOf(intstr.FromString("x")))
	case t.Kind() == reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		setNonZero(v.Elem())
	case t.Kind() == reflect.String:
		v.SetString("x")
	case t.Kind() == reflect.Bool:
		v.SetBool(true)
	case t.Kind() == reflect.Int32 || t.Kind() == reflect.Int64:
		v.SetInt(1)
	case t.Kind() == reflect.Uint32 || t.Kind() == reflect.Uint64:
		v.SetUint(1)
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		v.SetFloat(1)
	case t.Kind() == reflect.Slice:
		s := reflect.MakeSlice(t, 1, 1)
		if t.Elem().Kind() == reflect.Uint8 {
			s.Index(0).SetUint('{')
			s = reflect.ValueOf([]byte("{}")).Convert(t)
		} else {
			setNonZero(s.Index(0))
		}
		v.Set(s)
	case t.Kind() == reflect.Map:
		m := reflect.MakeMap(t)
		k := reflect.New(t.Key()).Elem()
		k.SetString("k")
		e := reflect.New(t.Elem()).Elem()
		setNonZero(e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case t == reflect.TypeFor[runtime.RawExtension]() || t == reflect.TypeFor[apiextv1.JSON]() || t == reflect.TypeFor[metav1.FieldsV1]():
		v.Field(0).SetBytes([]byte("{}"))
	case t.Kind() == reflect.Struct:
		// a non-pointer struct field is always written; a nested struct needs nothing set
	}
}

var identifier = regexp.MustCompile(`^[A-Za-z0-9_$.\-/]*$`)

func pyStr(s string) string {
	if !identifier.MatchString(s) {
		panic(fmt.Sprintf("not a plain name: %q", s))
	}
	return `"` + s + `"`
}

func main() {
	out := flag.String("o", "", "write the Python schema module to this file")
	fixtures := flag.String("fixtures", "", "write the protobuf test fixtures (JSON) to this file instead")
	decodeMode := flag.Bool("decode", false, "read base64 bodies, one a line, from stdin; write what the Go serializer makes of each")
	flag.Parse()
	if *decodeMode {
		if err := decodeLines(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *fixtures != "" {
		if err := writeFixtures(*fixtures); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: protoschema -o FILE | -fixtures FILE")
		os.Exit(2)
	}

	w := &walker{types: map[string]*typeInfo{}, pkgOf: map[string]string{}}
	kinds := map[[2]string]string{}
	untyped := map[string]bool{}       // registered types without an embedded TypeMeta (metav1.WatchEvent)
	unversioned := map[string]string{} // Scheme.New finds these by kind alone, at any version
	var skipped []string
	for _, s := range schemes() {
		for gvk, t := range s.AllKnownTypes() {
			if gvk.Version == runtime.APIVersionInternal {
				continue
			}
			if !reflect.PointerTo(t).Implements(protoMarsh) {
				// no protobuf form (metav1.Table, ...): kube-apiserver cannot decode it from protobuf either
				skipped = append(skipped, gvk.String())
				continue
			}
			w.visit(t, special[t])
			kinds[[2]string{gvk.GroupVersion().String(), gvk.Kind}] = w.typeName(t)
			if isUnversioned, _ := s.IsUnversioned(reflect.New(t).Interface().(runtime.Object)); isUnversioned {
				unversioned[gvk.Kind] = w.typeName(t)
			}
			if f, ok := t.FieldByName("TypeMeta"); !ok || !f.Anonymous || f.Type != reflect.TypeFor[metav1.TypeMeta]() {
				untyped[w.typeName(t)] = true
			}
		}
	}
	w.visit(reflect.TypeFor[runtime.Unknown](), "unknown") // the envelope
	w.visit(reflect.TypeFor[runtime.TypeMeta](), "")
	names := make([]string, 0, len(w.types))
	for n := range w.types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w.checkAgainstMarshal(w.types[n])
	}
	if len(w.problems) > 0 {
		sort.Strings(w.problems)
		fmt.Fprintln(os.Stderr, strings.Join(w.problems, "\n"))
		os.Exit(1)
	}
	sort.Strings(skipped)
	fmt.Fprintf(os.Stderr, "%d types, %d kinds\n", len(names), len(kinds))
	if len(skipped) > 0 {
		fmt.Fprintf(os.Stderr, "kinds without a protobuf form, left out: %s\n", strings.Join(skipped, ", "))
	}

	var b bytes.Buffer
	b.WriteString(header())
	b.WriteString("TYPES: dict[str, tuple[str, tuple[tuple[int, str, int, str, str], ...]]] = {\n")
	for _, n := range names {
		ti := w.types[n]
		fmt.Fprintf(&b, "    %s: (%s, (", pyStr(n), strconv.Quote(ti.special))
		for i, f := range ti.fields {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %s, %d, %s, %s)", f.num, pyStr(f.name), f.flags, pyStr(f.elem), strconv.Quote(f.val))
		}
		if len(ti.fields) == 1 {
			b.WriteString(",")
		}
		b.WriteString(")),\n")
	}
	b.WriteString("}\n\n")
	keys := make([][2]string, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	b.WriteString("KINDS: dict[tuple[str, str], str] = {\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "    (%s, %s): %s,\n", strconv.Quote(k[0]), pyStr(k[1]), pyStr(kinds[k]))
	}
	b.WriteString("}\n\n")
	var untypedNames []string
	for n := range untyped {
		untypedNames = append(untypedNames, pyStr(n))
	}
	sort.Strings(untypedNames)
	fmt.Fprintf(&b, "NO_TYPE_META: frozenset[str] = frozenset({%s})\n\n", strings.Join(untypedNames, ", "))
	var unversionedKinds []string
	for k := range unversioned {
		unversionedKinds = append(unversionedKinds, k)
	}
	sort.Strings(unversionedKinds)
	b.WriteString("UNVERSIONED: dict[str, str] = {\n")
	for _, k := range unversionedKinds {
		fmt.Fprintf(&b, "    %s: %s,\n", pyStr(k), pyStr(unversioned[k]))
	}
	b.WriteString("}\n")
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func schemes() []*runtime.Scheme {
	ext := runtime.NewScheme()
	if err := apiextv1.AddToScheme(ext); err != nil {
		panic(err)
	}
	// kube-apiserver also reads the meta.k8s.io/v1 options (a DeleteOptions body may say so)
	meta := runtime.NewScheme()
	metav1.AddToGroupVersion(meta, metav1.SchemeGroupVersion)
	return []*runtime.Scheme{scheme.Scheme, ext, meta}
}

func moduleVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	var vs []string
	for _, d := range info.Deps {
		switch d.Path {
		case "k8s.io/api", "k8s.io/apimachinery", "k8s.io/apiextensions-apiserver", "k8s.io/client-go":
			vs = append(vs, d.Path+"@"+d.Version)
		}
	}
	sort.Strings(vs)
	return strings.Join(vs, ", ")
}

func header() string {
	return `"""Generated by tools/protoschema (Go reflection over the API types): DO NOT EDIT.

From ` + moduleVersions() + `.
Regenerate: cd tools/protoschema && go run . -o ../../reference_impl/apiserver/_protoschema.py

TYPES maps a Go type ("core/v1.Pod": package path less its k8s.io prefix, then the type name) to
(special, fields). special is "" for a plain struct, else the name of the custom JSON encoding the
decoder applies (time, microtime, duration, fieldsv1, quantity, intorstring, rawextension, json,
orbool, orarray, orstringarray; list: a named slice sent as a message {repeated items = 1};
unknown: the runtime.Unknown envelope). Each field is (number, name, flags, elem, value): name is
the JSON key (the proto name for a special type's fields); elem is a scalar kind (string, bool,
int32, int64, uint32, uint64, double, float, bytes) or a type name; for a map, elem is the key's
kind and value the value's kind or type. Flags: 1 omitempty, 2 pointer, 4 repeated, 8 map,
16 inline (an embedded struct whose fields JSON promotes), 32 omitzero.

KINDS maps (apiVersion, kind), as registered in client-go's scheme, the apiextensions v1 scheme
and meta.k8s.io/v1 (its options), to the type name. NO_TYPE_META holds the registered types that
do not embed metav1.TypeMeta, whose JSON therefore has no kind and apiVersion. UNVERSIONED maps
the kinds registered as unversioned (Status, APIGroupList, ...), which the scheme creates
whatever the apiVersion says, to their type.
"""

# fmt: off
`
}

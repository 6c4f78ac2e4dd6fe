// Command stringer prints how Go's fmt and text/template show a value with a String method
// (fmt.Stringer on a pointer receiver, as *semver.Version has) and a plain struct pointer.
// test/unit/template/stringer.test.ts expects the lines this prints. Run: go run ./test/go-oracle/stringer
package main

import (
	"fmt"
	"os"
	"text/template"
)

type version struct {
	major uint64
	pre   string
}

func (v *version) String() string { return "1.2.3-rc" }

type plain struct{ A int }

func main() {
	v := &version{1, "rc"}
	fmt.Printf("%v|%s|%q|%x|%d|%+v|%#v|%10s|%-10v|\n", v, v, v, v, v, v, v, v, v)
	fmt.Println(fmt.Sprint(v, v), fmt.Sprint("a", v, 1), []*version{v}, map[string]*version{"a": v})
	fmt.Printf("%v|%+v|%#v\n", &plain{1}, &plain{1}, &plain{1})
	t := template.Must(template.New("t").Parse(`{{ . }}|{{ print . . }}|{{ println . }}|{{ printf "%v %d" . . }}`))
	if err := t.Execute(os.Stdout, v); err != nil {
		panic(err)
	}
	fmt.Println()
}

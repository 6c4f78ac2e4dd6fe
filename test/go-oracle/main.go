// Command go-oracle renders text/template cases the way Helm runs templates, for differential tests.
//
// Input (stdin): a JSON array of {"name", "template", "data"} or, for a set of files parsed into
// one namespace as Helm does, {"files": [{"name", "template"}...], "execute": NAME, "data"}.
// Output (stdout): a JSON array of {"output"} or {"error", "phase": "parse"|"exec"}, in order.
// Templates run with Option("missingkey=zero") and "<no value>" is removed from the output,
// as Helm does. JSON numbers decode as float64, as values-file numbers do in Helm.
package main

import (
	"encoding/json"
	"os"
	"strings"
	"text/template"
)

type file struct {
	Name     string `json:"name"`
	Template string `json:"template"`
}

type input struct {
	Name     string      `json:"name"`
	Template string      `json:"template"`
	Data     interface{} `json:"data"`
	Files    []file      `json:"files"`
	Execute  string      `json:"execute"`
}

type result struct {
	Output *string `json:"output,omitempty"`
	Error  string  `json:"error,omitempty"`
	Phase  string  `json:"phase,omitempty"`
}

func run(c input) (res result) {
	defer func() {
		if r := recover(); r != nil {
			res = result{Error: "panic", Phase: "exec"}
		}
	}()
	name := c.Name
	if name == "" {
		name = "template"
	}
	var b strings.Builder
	if len(c.Files) > 0 {
		root := template.New("gotpl").Option("missingkey=zero")
		for _, f := range c.Files {
			if _, err := root.New(f.Name).Parse(f.Template); err != nil {
				return result{Error: err.Error(), Phase: "parse"}
			}
		}
		if err := root.ExecuteTemplate(&b, c.Execute, c.Data); err != nil {
			return result{Error: err.Error(), Phase: "exec"}
		}
	} else {
		t, err := template.New(name).Option("missingkey=zero").Parse(c.Template)
		if err != nil {
			return result{Error: err.Error(), Phase: "parse"}
		}
		if err := t.Execute(&b, c.Data); err != nil {
			return result{Error: err.Error(), Phase: "exec"}
		}
	}
	out := strings.ReplaceAll(b.String(), "<no value>", "")
	return result{Output: &out}
}

func main() {
	var cases []input
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		os.Stderr.WriteString("go-oracle: bad input: " + err.Error() + "\n")
		os.Exit(2)
	}
	results := make([]result, len(cases))
	for i, c := range cases {
		results[i] = run(c)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		os.Exit(1)
	}
}

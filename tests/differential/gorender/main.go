// gorender renders ExternalSecret templates the way External Secrets Operator does (engineVersion v2):
// Go text/template with missingkey=error, Sprig's text functions minus env/expandenv/getHostByName, and
// fromYaml/toYaml over sigs.k8s.io/yaml. It is the oracle of the harness's differential test: one JSON
// request per stdin line ({"templates": {key: text}, "data": {key: value}}), one JSON answer per line
// ({key: {"ok": base64 bytes} | {"stage": "parse"|"execute", "error": text}}).
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

type request struct {
	Templates map[string]string `json:"templates"`
	Data      map[string]string `json:"data"`
}

type result struct {
	OK    *string `json:"ok,omitempty"`
	Stage string  `json:"stage,omitempty"`
	Error string  `json:"error,omitempty"`
}

// fromYAML mirrors ESO's: a failed Unmarshal leaves its message under "Error" instead of failing.
func fromYAML(text string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(text), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// toYAML mirrors ESO's: marshal errors give "", the trailing newline is cut.
func toYAML(v interface{}) string {
	out, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

func funcs() template.FuncMap {
	fm := sprig.TxtFuncMap()
	for _, name := range []string{"env", "expandenv", "getHostByName"} {
		delete(fm, name)
	}
	fm["fromYaml"] = fromYAML
	fm["toYaml"] = toYAML
	return fm
}

func render(name, text string, data map[string]string, fm template.FuncMap) result {
	t, err := template.New(name).Option("missingkey=error").Funcs(fm).Parse(text)
	if err != nil {
		return result{Stage: "parse", Error: err.Error()}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return result{Stage: "execute", Error: err.Error()}
	}
	ok := base64.StdEncoding.EncodeToString(buf.Bytes())
	return result{OK: &ok}
}

func main() {
	fm := funcs()
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			os.Stderr.WriteString("gorender: bad request line\n")
			os.Exit(2)
		}
		answer := map[string]result{}
		for key, text := range req.Templates {
			answer[key] = render(key, text, req.Data, fm)
		}
		if err := enc.Encode(answer); err != nil {
			os.Exit(2)
		}
		out.Flush()
	}
}

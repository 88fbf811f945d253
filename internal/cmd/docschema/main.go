// Command docschema splits `terraform providers schema -json` output for
// tfplugindocs, which documents only resources named <provider>_*. The
// provider serves xata_* and signadot_* types, so the docs are rendered in
// two passes: one schema per prefix, each under the provider name matching
// its prefix.
//
//	docschema -in schema.json -out-dir DIR   → DIR/xata.json, DIR/signadot.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	in := flag.String("in", "", "providers schema JSON")
	outDir := flag.String("out-dir", "", "directory for <prefix>.json files")
	flag.Parse()
	if err := run(*in, *outDir); err != nil {
		fmt.Fprintln(os.Stderr, "docschema:", err)
		os.Exit(1)
	}
}

func run(in, outDir string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var doc struct {
		FormatVersion string                                `json:"format_version"`
		Schemas       map[string]map[string]json.RawMessage `json:"provider_schemas"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	if len(doc.Schemas) != 1 {
		return fmt.Errorf("expected one provider in %s, found %d", in, len(doc.Schemas))
	}
	var provider map[string]json.RawMessage
	for _, p := range doc.Schemas {
		provider = p
	}
	for _, prefix := range []string{"xata", "signadot"} {
		part := map[string]json.RawMessage{"provider": provider["provider"]}
		for _, kind := range []string{"resource_schemas", "data_source_schemas", "ephemeral_resource_schemas"} {
			if provider[kind] == nil {
				continue // e.g. a CLI too old to report ephemeral resources
			}
			var all map[string]json.RawMessage
			if err := json.Unmarshal(provider[kind], &all); err != nil {
				return fmt.Errorf("%s: %w", kind, err)
			}
			kept := map[string]json.RawMessage{}
			for name, s := range all {
				if strings.HasPrefix(name, prefix+"_") {
					kept[name] = s
				}
			}
			b, _ := json.Marshal(kept)
			part[kind] = b
		}
		out, err := json.Marshal(map[string]any{
			"format_version":   doc.FormatVersion,
			"provider_schemas": map[string]any{"registry.terraform.io/hashicorp/" + prefix: part},
		})
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, prefix+".json"), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/scenario"
)

// The Kubernetes manifests and the Dockerfile are not Go, and no cluster,
// kubectl server or Docker engine runs where the tests run. These tests
// check their structure instead: the fields the Kubernetes API requires for
// these kinds, the references between the manifests (volumes, ConfigMap,
// PVC, the parts the merge Job reads), the security settings, and that
// what the segments' arguments say is what loadplan accepts. They are
// structural checks, not the API server's validation.

const deployDir = "../../deploy/kubernetes"

// manifest is one parsed YAML document.
type manifest struct {
	file string
	doc  map[string]any
	node *yaml.Node
}

func loadManifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(deployDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", deployDir, err)
	}
	var out []manifest
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var doc map[string]any
			if err := n.Decode(&doc); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, manifest{file: filepath.Base(f), doc: doc, node: &n})
		}
	}
	return out
}

// get walks a path of map keys and list indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func strs(v any, path ...any) []string {
	var out []string
	for _, x := range list(v, path...) {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// keysIn fails for a key outside allowed: a typo in a manifest is an
// unknown field the API server would reject (or, with kubectl's lenient
// decoding, silently drop).
func keysIn(t *testing.T, where string, v any, allowed ...string) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: not a mapping", where)
		return
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			t.Errorf("%s: unknown field %q (known here: %s)", where, k, strings.Join(allowed, ", "))
		}
	}
}

var (
	podSpecKeys   = []string{"restartPolicy", "automountServiceAccountToken", "securityContext", "topologySpreadConstraints", "containers", "volumes", "activeDeadlineSeconds", "serviceAccountName", "nodeSelector", "tolerations", "affinity"}
	containerKeys = []string{"name", "image", "imagePullPolicy", "command", "args", "env", "resources", "securityContext", "volumeMounts"}
	jobSpecKeys   = []string{"completionMode", "completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "template", "podFailurePolicy"}
	podSecKeys    = []string{"runAsNonRoot", "runAsUser", "runAsGroup", "fsGroup", "seccompProfile"}
	ctrSecKeys    = []string{"allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsNonRoot", "capabilities"}
)

// checkPodSpec checks a pod spec and returns its first container.
func checkPodSpec(t *testing.T, where string, spec any, byKind map[string]map[string]manifest) map[string]any {
	t.Helper()
	keysIn(t, where+".spec", spec, podSpecKeys...)
	if rp := str(spec, "restartPolicy"); rp != "Never" && rp != "OnFailure" {
		t.Errorf("%s: restartPolicy %q: a Job's pods must be Never or OnFailure", where, rp)
	}
	if get(spec, "automountServiceAccountToken") != false {
		t.Errorf("%s: automountServiceAccountToken should be false: loadplan never talks to the API server", where)
	}
	psc := get(spec, "securityContext")
	keysIn(t, where+".spec.securityContext", psc, podSecKeys...)
	if get(psc, "runAsNonRoot") != true {
		t.Errorf("%s: pod securityContext.runAsNonRoot must be true", where)
	}
	if uid, _ := get(psc, "runAsUser").(int); uid == 0 {
		t.Errorf("%s: pod securityContext.runAsUser must be a non-zero uid (the image's user is a name, which runAsNonRoot cannot check)", where)
	}
	if str(psc, "seccompProfile", "type") != "RuntimeDefault" {
		t.Errorf("%s: seccompProfile.type should be RuntimeDefault", where)
	}

	volumes := map[string]any{}
	for i, v := range list(spec, "volumes") {
		name := str(v, "name")
		if name == "" {
			t.Errorf("%s: volumes[%d] has no name", where, i)
		}
		if _, dup := volumes[name]; dup {
			t.Errorf("%s: volume %q twice", where, name)
		}
		volumes[name] = v
		if cm := str(v, "configMap", "name"); cm != "" {
			if _, ok := byKind["ConfigMap"][cm]; !ok {
				t.Errorf("%s: volume %s: no ConfigMap %q among the manifests", where, name, cm)
			}
		}
		if claim := str(v, "persistentVolumeClaim", "claimName"); claim != "" {
			if _, ok := byKind["PersistentVolumeClaim"][claim]; !ok {
				t.Errorf("%s: volume %s: no PersistentVolumeClaim %q among the manifests", where, name, claim)
			}
		}
	}

	cs := list(spec, "containers")
	if len(cs) == 0 {
		t.Fatalf("%s: no containers", where)
	}
	for i, c := range cs {
		cw := where + ".containers[" + strconv.Itoa(i) + "]"
		keysIn(t, cw, c, containerKeys...)
		if str(c, "name") == "" || str(c, "image") == "" {
			t.Errorf("%s: a container needs a name and an image", cw)
		}
		if strings.HasSuffix(str(c, "image"), ":latest") || !strings.Contains(str(c, "image"), ":") {
			t.Errorf("%s: image %q: pin a tag", cw, str(c, "image"))
		}
		if len(list(c, "args")) == 0 {
			t.Errorf("%s: no args", cw)
		}
		sc := get(c, "securityContext")
		keysIn(t, cw+".securityContext", sc, ctrSecKeys...)
		if get(sc, "allowPrivilegeEscalation") != false || get(sc, "readOnlyRootFilesystem") != true || get(sc, "runAsNonRoot") != true {
			t.Errorf("%s: securityContext must set allowPrivilegeEscalation false, readOnlyRootFilesystem true, runAsNonRoot true: %v", cw, sc)
		}
		if !slices.Equal(strs(sc, "capabilities", "drop"), []string{"ALL"}) {
			t.Errorf("%s: securityContext.capabilities.drop should be [ALL]", cw)
		}
		for _, kind := range []string{"requests", "limits"} {
			for _, r := range []string{"cpu", "memory"} {
				if get(c, "resources", kind, r) == nil {
					t.Errorf("%s: resources.%s.%s is not set", cw, kind, r)
				}
			}
		}
		mounts := map[string]bool{}
		for j, m := range list(c, "volumeMounts") {
			name, path := str(m, "name"), str(m, "mountPath")
			if _, ok := volumes[name]; !ok {
				t.Errorf("%s: volumeMounts[%d] %q names no volume of the pod", cw, j, name)
			}
			if !strings.HasPrefix(path, "/") || mounts[path] {
				t.Errorf("%s: volumeMounts[%d] mountPath %q: want a distinct absolute path", cw, j, path)
			}
			mounts[path] = true
		}
		env := map[string]bool{}
		for _, e := range list(c, "env") {
			env[str(e, "name")] = true
		}
		// Kubernetes expands $(VAR) in args only for variables the
		// container defines; anything else is passed on literally.
		for _, a := range strs(c, "args") {
			for _, m := range regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).FindAllStringSubmatch(a, -1) {
				if !env[m[1]] {
					t.Errorf("%s: arg %q uses $(%s), which the container does not define", cw, a, m[1])
				}
			}
		}
	}
	c, _ := cs[0].(map[string]any)
	return c
}

func TestKubernetesManifests(t *testing.T) {
	ms := loadManifests(t)
	byKind := map[string]map[string]manifest{}
	want := map[string]string{"Job": "batch/v1", "ConfigMap": "v1", "PersistentVolumeClaim": "v1", "Pod": "v1", "Kustomization": "kustomize.config.k8s.io/v1beta1"}
	for _, m := range ms {
		kind := str(m.doc, "kind")
		api, known := want[kind]
		if !known {
			t.Errorf("%s: kind %q is not one this test knows", m.file, kind)
			continue
		}
		if got := str(m.doc, "apiVersion"); got != api {
			t.Errorf("%s: %s apiVersion %q, want %q", m.file, kind, got, api)
		}
		name := str(m.doc, "metadata", "name")
		if kind != "Kustomization" && !regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`).MatchString(name) {
			t.Errorf("%s: metadata.name %q: want a DNS label", m.file, name)
		}
		if byKind[kind] == nil {
			byKind[kind] = map[string]manifest{}
		}
		if _, dup := byKind[kind][name]; dup && kind != "Kustomization" {
			t.Errorf("%s: %s %q defined twice", m.file, kind, name)
		}
		byKind[kind][name] = m
	}

	// The scenario every segment runs parses as loadplan would parse it.
	cm, ok := byKind["ConfigMap"]["loadplan-scenario"]
	if !ok {
		t.Fatal("no ConfigMap loadplan-scenario")
	}
	sc, err := scenario.Parse("configmap.yaml:scenario.yaml", []byte(str(cm.doc, "data", "scenario.yaml")), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Errorf("the ConfigMap's scenario does not parse: %v", err)
	} else if len(sc.Profiles) == 0 {
		t.Error("the ConfigMap's scenario has no profiles")
	}

	pvc, ok := byKind["PersistentVolumeClaim"]["loadplan-results"]
	if !ok {
		t.Fatal("no PersistentVolumeClaim loadplan-results")
	}
	if !slices.Equal(strs(pvc.doc, "spec", "accessModes"), []string{"ReadWriteMany"}) {
		t.Errorf("pvc: accessModes %v: ten pods on different nodes write the parts, so ReadWriteMany", strs(pvc.doc, "spec", "accessModes"))
	}
	if str(pvc.doc, "spec", "resources", "requests", "storage") == "" {
		t.Error("pvc: spec.resources.requests.storage is required")
	}

	// The segments.
	seg, ok := byKind["Job"]["loadplan-segments"]
	if !ok {
		t.Fatal("no Job loadplan-segments")
	}
	spec := get(seg.doc, "spec")
	keysIn(t, "job loadplan-segments spec", spec, jobSpecKeys...)
	if str(spec, "completionMode") != "Indexed" {
		t.Errorf("segments: completionMode %q, want Indexed", str(spec, "completionMode"))
	}
	n, _ := get(spec, "completions").(int)
	if par, _ := get(spec, "parallelism").(int); n != 10 || par != n {
		t.Errorf("segments: completions %d parallelism %d: want 10 = 10, all segments at once", n, par)
	}
	if get(spec, "backoffLimitPerIndex") != 0 {
		t.Error("segments: backoffLimitPerIndex should be 0: a retried segment starts late and loads the target alone")
	}
	c := checkPodSpec(t, "segments", get(spec, "template", "spec"), byKind)
	args := strs(c, "args")
	wantArgs := []string{"run", "/scenario/scenario.yaml", "--segment", "k8s/" + strconv.Itoa(n), "--start-at", "$(START_AT)", "--out", "/results/part-$(JOB_COMPLETION_INDEX)", "--quiet"}
	if !slices.Equal(args, wantArgs) {
		t.Errorf("segments args\n got %q\nwant %q", args, wantArgs)
	}
	mountAt := map[string]string{}
	for _, m := range list(c, "volumeMounts") {
		mountAt[str(m, "mountPath")] = str(m, "name")
	}
	vols := map[string]any{}
	for _, v := range list(get(spec, "template", "spec"), "volumes") {
		vols[str(v, "name")] = v
	}
	if str(vols[mountAt["/scenario"]], "configMap", "name") != "loadplan-scenario" {
		t.Error("segments: /scenario is not the loadplan-scenario ConfigMap")
	}
	if _, ok := get(cm.doc, "data").(map[string]any)[filepath.Base(args[1])]; !ok {
		t.Errorf("segments: the ConfigMap has no key %s, which the args read", filepath.Base(args[1]))
	}
	if str(vols[mountAt["/results"]], "persistentVolumeClaim", "claimName") != "loadplan-results" {
		t.Error("segments: /results is not the loadplan-results volume")
	}

	// The documented step: the placeholder replaced by a quoted time gives
	// a string that --start-at accepts, and --segment k8s/10 takes every
	// index the Job hands out.
	var startAt *yaml.Node
	for _, e := range list(c, "env") {
		if str(e, "name") == "START_AT" && str(e, "value") != "__START_AT__" {
			t.Errorf("segments: START_AT is %q, want the placeholder __START_AT__ the docs replace", str(e, "value"))
		}
	}
	at := "2026-11-23T18:00:00Z"
	raw, err := os.ReadFile(filepath.Join(deployDir, seg.file))
	if err != nil {
		t.Fatal(err)
	}
	replaced := strings.ReplaceAll(string(raw), "__START_AT__", "'"+at+"'") // sed "s/__START_AT__/'$START_AT'/"
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(replaced), &root); err != nil {
		t.Fatalf("job.yaml after the sed step: %v", err)
	}
	startAt = findEnvValue(&root, "START_AT")
	if startAt == nil || startAt.Tag != "!!str" || startAt.Value != at {
		t.Errorf("START_AT after the sed step: %+v, want the string %s", startAt, at)
	} else if _, err := time.Parse(time.RFC3339, startAt.Value); err != nil {
		t.Errorf("START_AT after the sed step: %v", err)
	}
	for k := range n {
		s, err := engine.ParseSegment(args[3], strconv.Itoa(k)) // $JOB_COMPLETION_INDEX
		if err != nil || s.Index != k+1 || s.Count != n {
			t.Errorf("index %d: --segment %s gives %+v, %v", k, args[3], s, err)
		}
	}

	// The collector reads every part the segments write.
	mj, ok := byKind["Job"]["loadplan-merge"]
	if !ok {
		t.Fatal("no Job loadplan-merge")
	}
	keysIn(t, "job loadplan-merge spec", get(mj.doc, "spec"), jobSpecKeys...)
	mc := checkPodSpec(t, "merge", get(mj.doc, "spec", "template", "spec"), byKind)
	margs := strs(mc, "args")
	wantMerge := []string{"merge", "/results/merged/result.json"}
	for k := range n {
		wantMerge = append(wantMerge, strings.ReplaceAll(args[7], "$(JOB_COMPLETION_INDEX)", strconv.Itoa(k))+"/result.json")
	}
	if !slices.Equal(margs, wantMerge) {
		t.Errorf("merge args\n got %q\nwant %q", margs, wantMerge)
	}

	if fetch, ok := byKind["Pod"]["loadplan-fetch"]; ok {
		checkPodSpec(t, "fetch", get(fetch.doc, "spec"), byKind)
	}

	// The kustomization lists files that exist and leaves the collector
	// out (it runs after the segments).
	for _, k := range byKind["Kustomization"] {
		for _, r := range strs(k.doc, "resources") {
			if _, err := os.Stat(filepath.Join(deployDir, r)); err != nil {
				t.Errorf("%s: resource %s: %v", k.file, r, err)
			}
			if r == "merge-job.yaml" {
				t.Errorf("%s: the merge Job must not start with the segments", k.file)
			}
		}
	}
}

// findEnvValue finds the value node of the env entry named name.
func findEnvValue(n *yaml.Node, name string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "name" && n.Content[i+1].Value == name {
				for j := 0; j+1 < len(n.Content); j += 2 {
					if n.Content[j].Value == "value" {
						return n.Content[j+1]
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		if v := findEnvValue(c, name); v != nil {
			return v
		}
	}
	return nil
}

// TestDockerfile checks the image's build: two stages, the builder on the
// module's Go version, a static stripped binary, the distroless nonroot
// base, USER nonroot and loadplan as the entrypoint.
func TestDockerfile(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type stage struct {
		from, name string
		lines      []string
	}
	var stages []stage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			t.Fatalf("continued lines are not parsed by this test: %q", line)
		}
		fields := strings.Fields(line)
		if strings.EqualFold(fields[0], "FROM") {
			s := stage{from: fields[1]}
			if len(fields) == 4 && strings.EqualFold(fields[2], "AS") {
				s.name = fields[3]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("%q before the first FROM", line)
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	if len(stages) != 2 {
		t.Fatalf("%d stages, want 2 (build, then the runtime image)", len(stages))
	}
	build, final := stages[0], stages[1]

	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goVer == nil || build.from != "golang:"+string(goVer[1]) || build.name == "" {
		t.Errorf("build stage FROM %s AS %q, want golang:%s (go.mod) with a name", build.from, build.name, goVer[1])
	}
	var out string
	for _, l := range build.lines {
		if strings.HasPrefix(l, "RUN ") && strings.Contains(l, "go build") {
			for _, w := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w`, "./cmd/loadplan"} {
				if !strings.Contains(l, w) {
					t.Errorf("go build line lacks %s: %s", w, l)
				}
			}
			if m := regexp.MustCompile(`-o (\S+)`).FindStringSubmatch(l); m != nil {
				out = m[1]
			}
		}
	}
	if out == "" {
		t.Fatal("the build stage has no RUN ... go build -o BINARY")
	}

	if final.from != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("final stage FROM %s, want gcr.io/distroless/static-debian12:nonroot", final.from)
	}
	var bin, user, entry string
	for _, l := range final.lines {
		fields := strings.Fields(l)
		switch strings.ToUpper(fields[0]) {
		case "COPY":
			if len(fields) == 4 && fields[1] == "--from="+build.name && fields[2] == out {
				bin = fields[3]
			}
		case "USER":
			user = fields[1]
		case "ENTRYPOINT":
			entry = strings.TrimSpace(strings.TrimPrefix(l, fields[0]))
		case "RUN":
			t.Errorf("RUN in the distroless stage (it has no shell): %s", l)
		}
	}
	if bin == "" {
		t.Errorf("the final stage does not COPY --from=%s %s", build.name, out)
	}
	if user != "nonroot" && user != "nonroot:nonroot" {
		t.Errorf("USER %q, want nonroot", user)
	}
	if entry != `["`+bin+`"]` {
		t.Errorf("ENTRYPOINT %s, want the exec form [%q]", entry, bin)
	}

	// The build context holds what the build needs and not the rest.
	ign, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	rules := strings.Fields(string(regexp.MustCompile(`(?m)#.*$`).ReplaceAll(ign, nil)))
	for _, r := range []string{"*", "!go.mod", "!go.sum", "!cmd/", "!internal/"} {
		if !slices.Contains(rules, r) {
			t.Errorf(".dockerignore lacks %s", r)
		}
	}
}

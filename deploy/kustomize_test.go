package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/patrolsec/patrol/config"
	"github.com/patrolsec/patrol/store"
)

// The facts every overlay must keep.
const (
	credentialsSecret = "patrol-credentials"
	secretsDir        = "/var/run/secrets/patrol"
	configPath        = "/etc/patrol/patrol.yaml"
	nonRootUID        = 65532
)

// rendered is one overlay built by kustomize and decoded strictly into the API types.
type rendered struct {
	objects         []runtime.Object
	deployments     []*appsv1.Deployment
	jobs            []*batchv1.Job
	cronJobs        []*batchv1.CronJob
	services        []*corev1.Service
	configMaps      []*corev1.ConfigMap
	pvcs            []*corev1.PersistentVolumeClaim
	pdbs            []*policyv1.PodDisruptionBudget
	serviceMonitors []*monitoringv1.ServiceMonitor
}

// workload is a pod template and the kind and name of its owner, for messages.
type workload struct {
	name string
	pod  *corev1.PodTemplateSpec
}

func (r *rendered) workloads() []workload {
	var out []workload
	for _, d := range r.deployments {
		out = append(out, workload{"Deployment/" + d.Name, &d.Spec.Template})
	}
	for _, j := range r.jobs {
		out = append(out, workload{"Job/" + j.Name, &j.Spec.Template})
	}
	for _, c := range r.cronJobs {
		out = append(out, workload{"CronJob/" + c.Name, &c.Spec.JobTemplate.Spec.Template})
	}
	return out
}

// render builds the kustomization in dir with kustomize's own library (what `kubectl
// kustomize` runs) and decodes every object strictly: an unknown or duplicated field, or a
// kind the scheme does not know, is an error.
func render(t *testing.T, dir string) *rendered {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		policyv1.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	decode := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	r := &rendered{}
	for _, res := range m.Resources() {
		y, err := res.AsYAML()
		if err != nil {
			t.Fatalf("%s: %s: %v", dir, res.CurId(), err)
		}
		obj, _, err := decode.Decode(y, nil, nil)
		if err != nil {
			t.Fatalf("%s: %s does not decode strictly: %v", dir, res.CurId(), err)
		}
		r.objects = append(r.objects, obj)
		switch o := obj.(type) {
		case *appsv1.Deployment:
			r.deployments = append(r.deployments, o)
		case *batchv1.Job:
			r.jobs = append(r.jobs, o)
		case *batchv1.CronJob:
			r.cronJobs = append(r.cronJobs, o)
		case *corev1.Service:
			r.services = append(r.services, o)
		case *corev1.ConfigMap:
			r.configMaps = append(r.configMaps, o)
		case *corev1.PersistentVolumeClaim:
			r.pvcs = append(r.pvcs, o)
		case *policyv1.PodDisruptionBudget:
			r.pdbs = append(r.pdbs, o)
		case *monitoringv1.ServiceMonitor:
			r.serviceMonitors = append(r.serviceMonitors, o)
		case *corev1.ServiceAccount:
		case *corev1.Secret:
			t.Errorf("%s renders Secret %s: credentials must only be referenced, never shipped", dir, o.Name)
		default:
			t.Errorf("%s renders a %T the test does not check", dir, obj)
		}
	}
	return r
}

// overlays are every kustomization a user applies, with what each must hold.
var overlays = []struct {
	dir       string
	serve     bool  // a patrol serve Deployment, Service and ServiceMonitor
	replicas  int32 // of the Deployment
	recreate  bool  // Deployment strategy Recreate (one SQLite writer)
	pvc       bool  // /var/lib/patrol is a PersistentVolumeClaim
	migrate   bool  // a `patrol migrate` Job and a PodDisruptionBudget
	cron      bool  // a CronJob running serve --once
	storeKind string
}{
	{dir: "sqlite", serve: true, replicas: 1, recreate: true, pvc: true, storeKind: "sqlite"},
	{dir: "postgres", serve: true, replicas: 3, migrate: true, storeKind: "postgres"},
	{dir: "cronjob", cron: true, pvc: true, storeKind: "sqlite"},
}

// TestKustomize is not parallel: loadConfig sets each container's environment with t.Setenv.
func TestKustomize(t *testing.T) {
	images := map[string]string{}
	for _, o := range overlays {
		r := render(t, filepath.Join("kubernetes", o.dir))
		t.Run(o.dir, func(t *testing.T) {
			ws := r.workloads()
			if len(ws) == 0 {
				t.Fatal("no workload")
			}
			for _, w := range ws {
				checkPod(t, w, r)
				for _, c := range w.pod.Spec.Containers {
					images[o.dir+" "+w.name+"/"+c.Name] = c.Image
				}
			}
			if got := len(r.configMaps); got != 1 {
				t.Fatalf("%d ConfigMaps, want 1 (patrol.yaml)", got)
			}
			checkConfigText(t, r.configMaps[0].Data["patrol.yaml"])

			if o.serve {
				checkServe(t, r, o.replicas, o.recreate)
			} else if len(r.deployments)+len(r.services)+len(r.serviceMonitors) != 0 {
				t.Errorf("%d Deployments, %d Services, %d ServiceMonitors, want none", len(r.deployments), len(r.services), len(r.serviceMonitors))
			}
			for _, w := range ws {
				data := volumeFor(w.pod, "/var/lib/patrol")
				switch {
				case data == nil && w.pod.Spec.Containers[0].Args[0] != "migrate":
					t.Errorf("%s: nothing mounted at /var/lib/patrol (store and clone cache)", w.name)
				case data != nil && o.pvc:
					if data.PersistentVolumeClaim == nil || !slices.ContainsFunc(r.pvcs, func(p *corev1.PersistentVolumeClaim) bool {
						return p.Name == data.PersistentVolumeClaim.ClaimName
					}) {
						t.Errorf("%s: /var/lib/patrol is %+v, want a PersistentVolumeClaim this overlay renders", w.name, data.VolumeSource)
					}
				case data != nil && data.EmptyDir == nil:
					t.Errorf("%s: /var/lib/patrol is %+v, want an emptyDir (a per-pod clone cache)", w.name, data.VolumeSource)
				}
			}
			if o.migrate {
				checkMigrate(t, r)
			} else if len(r.jobs) != 0 {
				t.Errorf("%d Jobs, want none", len(r.jobs))
			}
			if o.cron {
				checkCron(t, r)
			} else if len(r.cronJobs) != 0 {
				t.Errorf("%d CronJobs, want none", len(r.cronJobs))
			}
			for _, w := range ws {
				if got := envValue(w.pod.Spec.Containers[0], "PATROL_STORE_DRIVER"); got != o.storeKind {
					t.Errorf("%s: PATROL_STORE_DRIVER = %q, want %q", w.name, got, o.storeKind)
				}
			}
		})
	}
	t.Run("one image", func(t *testing.T) {
		var first string
		for where, img := range images {
			if first == "" {
				first = img
			}
			if img != first || !strings.Contains(img, ":") || strings.HasPrefix(img, "patrol") {
				t.Errorf("%s runs %q; want every container on one tagged image (%q), set by each overlay's images:", where, img, first)
			}
		}
	})
}

// checkPod checks what every pod of every overlay must hold: non-root, read-only root, no
// capabilities, RuntimeDefault seccomp, writable /tmp, secrets only by reference to the
// credentials Secret, the ConfigMap mounted where the args say.
func checkPod(t *testing.T, w workload, r *rendered) {
	t.Helper()
	ps := w.pod.Spec
	sc := ps.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != nonRootUID ||
		sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext %+v, want runAsNonRoot, runAsUser %d, seccomp RuntimeDefault", w.name, sc, nonRootUID)
	}
	if ps.AutomountServiceAccountToken == nil || *ps.AutomountServiceAccountToken {
		t.Errorf("%s: the service account token is mounted; patrol calls no Kubernetes API", w.name)
	}
	if len(ps.Containers) != 1 || len(ps.InitContainers) != 0 {
		t.Fatalf("%s: %d containers, %d init containers, want 1 and 0", w.name, len(ps.Containers), len(ps.InitContainers))
	}
	c := ps.Containers[0]
	cs := c.SecurityContext
	if cs == nil || cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation || cs.ReadOnlyRootFilesystem == nil ||
		!*cs.ReadOnlyRootFilesystem || cs.Capabilities == nil || !slices.Equal(cs.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
		len(cs.Capabilities.Add) != 0 || cs.Privileged != nil && *cs.Privileged {
		t.Errorf("%s: container securityContext %+v, want allowPrivilegeEscalation false, readOnlyRootFilesystem, drop ALL", w.name, cs)
	}
	if c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: memory requests %v and limits %v, want both", w.name, c.Resources.Requests, c.Resources.Limits)
	}
	if tmp := volumeFor(w.pod, "/tmp"); tmp == nil || tmp.EmptyDir == nil {
		t.Errorf("%s: /tmp is not an emptyDir (the root file system is read-only)", w.name)
	}
	if i := slices.Index(c.Args, "--config"); i < 0 || i+1 >= len(c.Args) || c.Args[i+1] != configPath {
		t.Errorf("%s: args %q, want --config %s", w.name, c.Args, configPath)
	}
	if cm := volumeFor(w.pod, filepath.Dir(configPath)); cm == nil || cm.ConfigMap == nil ||
		!slices.ContainsFunc(r.configMaps, func(m *corev1.ConfigMap) bool { return m.Name == cm.ConfigMap.Name }) {
		t.Errorf("%s: %s is not the rendered ConfigMap", w.name, filepath.Dir(configPath))
	}
	if sv := volumeFor(w.pod, secretsDir); sv == nil || sv.Secret == nil || sv.Secret.SecretName != credentialsSecret {
		t.Errorf("%s: %s is not the Secret %s", w.name, secretsDir, credentialsSecret)
	}
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			if ref := e.ValueFrom.SecretKeyRef; ref == nil || ref.Name != credentialsSecret {
				t.Errorf("%s: env %s from %+v, want a key of the Secret %s", w.name, e.Name, e.ValueFrom, credentialsSecret)
			}
			continue
		}
		// A literal value is never a credential: only paths, store drivers and the SQLite
		// file's path are written out.
		if !strings.HasPrefix(e.Value, "/") && e.Value != "sqlite" && e.Value != "postgres" {
			t.Errorf("%s: env %s has a literal value that is not a path or a driver", w.name, e.Name)
		}
	}
	for _, ef := range c.EnvFrom {
		t.Errorf("%s: envFrom %+v: name each variable instead", w.name, ef)
	}
	if got := envValue(c, "PATROL_FINGERPRINT_KEY_FILE"); got != secretsDir+"/fingerprint-key" {
		t.Errorf("%s: PATROL_FINGERPRINT_KEY_FILE = %q, want the Secret's fingerprint-key (every pod and run must share the key)", w.name, got)
	}
}

// checkServe checks the Deployment of patrol serve, its Service and ServiceMonitor.
func checkServe(t *testing.T, r *rendered, replicas int32, recreate bool) {
	t.Helper()
	if len(r.deployments) != 1 || len(r.services) != 1 || len(r.serviceMonitors) != 1 {
		t.Fatalf("%d Deployments, %d Services, %d ServiceMonitors, want 1 each", len(r.deployments), len(r.services), len(r.serviceMonitors))
	}
	d, svc, sm := r.deployments[0], r.services[0], r.serviceMonitors[0]
	if d.Spec.Replicas == nil || *d.Spec.Replicas != replicas {
		t.Errorf("Deployment replicas %v, want %d", d.Spec.Replicas, replicas)
	}
	if recreate != (d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType) {
		t.Errorf("Deployment strategy %q, want Recreate: %v", d.Spec.Strategy.Type, recreate)
	}
	c := d.Spec.Template.Spec.Containers[0]
	if len(c.Args) == 0 || c.Args[0] != "serve" || slices.Contains(c.Args, "--once") {
		t.Errorf("Deployment args %q, want patrol serve", c.Args)
	}
	for _, p := range []struct {
		what  string
		probe *corev1.Probe
		path  string
	}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}, {"startup", c.StartupProbe, "/healthz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe %+v, want GET %s on port http", p.what, p.probe, p.path)
		}
	}
	cfg := loadConfig(t, r, c)
	_, port, _ := strings.Cut(cfg.Serve.Listen, ":")
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || fmt.Sprint(c.Ports[0].ContainerPort) != port {
		t.Errorf("container ports %+v, want http on serve.listen's port %s", c.Ports, port)
	}
	grace := time.Duration(*d.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	if grace <= cfg.Serve.ShutdownTimeout {
		t.Errorf("terminationGracePeriodSeconds %s, want above serve.shutdown_timeout %s", grace, cfg.Serve.ShutdownTimeout)
	}
	podLabels := labels.Set(d.Spec.Template.Labels)
	if sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err != nil || !sel.Matches(podLabels) {
		t.Errorf("Deployment selector %v does not match its pods' labels %v (%v)", d.Spec.Selector, podLabels, err)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) || len(svc.Spec.Selector) == 0 {
		t.Errorf("Service selector %v does not match the pods' labels %v", svc.Spec.Selector, podLabels)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Name != "http" || svc.Spec.Ports[0].TargetPort.String() != "http" {
		t.Errorf("Service ports %+v, want http → http", svc.Spec.Ports)
	}
	if sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector); err != nil || !sel.Matches(labels.Set(svc.Labels)) {
		t.Errorf("ServiceMonitor selector %v does not match the Service's labels %v (%v)", sm.Spec.Selector, svc.Labels, err)
	}
	if len(sm.Spec.Endpoints) != 1 || sm.Spec.Endpoints[0].Port != "http" ||
		sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor endpoints %+v, want port http path /metrics", sm.Spec.Endpoints)
	}
	if job := svc.Labels[sm.Spec.JobLabel]; job != "patrol" {
		t.Errorf("ServiceMonitor jobLabel %q gives job=%q, want patrol (the alert rules' up{job=\"patrol\"})", sm.Spec.JobLabel, job)
	}
}

// checkMigrate checks the postgres overlay's migrate Job, DSN and disruption budget.
func checkMigrate(t *testing.T, r *rendered) {
	t.Helper()
	if len(r.jobs) != 1 {
		t.Fatalf("%d Jobs, want the migrate Job", len(r.jobs))
	}
	j := r.jobs[0]
	c := j.Spec.Template.Spec.Containers[0]
	if len(c.Args) == 0 || c.Args[0] != "migrate" {
		t.Errorf("Job %s args %q, want patrol migrate", j.Name, c.Args)
	}
	for _, w := range r.workloads() {
		e := envVar(w.pod.Spec.Containers[0], "PATROL_STORE_DSN")
		if e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Key != "store-dsn" ||
			e.ValueFrom.SecretKeyRef.Optional != nil && *e.ValueFrom.SecretKeyRef.Optional {
			t.Errorf("%s: PATROL_STORE_DSN %+v, want the Secret's store-dsn, required", w.name, e)
		}
	}
	if len(r.pdbs) != 1 {
		t.Fatalf("%d PodDisruptionBudgets, want 1", len(r.pdbs))
	}
	pdb := r.pdbs[0]
	if sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err != nil || !sel.Matches(labels.Set(r.deployments[0].Spec.Template.Labels)) {
		t.Errorf("PodDisruptionBudget selector %v does not match the serve pods (%v)", pdb.Spec.Selector, err)
	}
	if sel, _ := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); sel != nil && sel.Matches(labels.Set(j.Spec.Template.Labels)) {
		t.Errorf("PodDisruptionBudget selector %v also matches the migrate Job's pods", pdb.Spec.Selector)
	}
}

// checkCron checks the CronJob variant.
func checkCron(t *testing.T, r *rendered) {
	t.Helper()
	if len(r.cronJobs) != 1 {
		t.Fatalf("%d CronJobs, want 1", len(r.cronJobs))
	}
	cj := r.cronJobs[0]
	c := cj.Spec.JobTemplate.Spec.Template.Spec.Containers[0]
	if len(c.Args) < 2 || c.Args[0] != "serve" || !slices.Contains(c.Args, "--once") {
		t.Errorf("CronJob args %q, want serve --once", c.Args)
	}
	if cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("CronJob concurrencyPolicy %q, want Forbid (one SQLite writer)", cj.Spec.ConcurrencyPolicy)
	}
	cfg := loadConfig(t, r, c)
	if g := cj.Spec.JobTemplate.Spec.Template.Spec.TerminationGracePeriodSeconds; g == nil ||
		time.Duration(*g)*time.Second <= cfg.Serve.ShutdownTimeout {
		t.Errorf("CronJob terminationGracePeriodSeconds %v, want above serve.shutdown_timeout %s", g, cfg.Serve.ShutdownTimeout)
	}
}

// secretKeys matches a YAML key that holds a credential in patrol.yaml.
var secretKeys = regexp.MustCompile(`(?m)\b(token|secret|password|admin_token|dsn|key)\s*:\s*("?)([^,}\s"]*)`)

// checkConfigText checks that patrol.yaml names every credential by ${VAR} or a *_file key.
func checkConfigText(t *testing.T, text string) {
	t.Helper()
	if text == "" {
		t.Fatal("the ConfigMap has no patrol.yaml")
	}
	for _, m := range secretKeys.FindAllStringSubmatch(text, -1) {
		if !strings.HasPrefix(m[3], "${") {
			t.Errorf("patrol.yaml: %s: has a literal value; reference the Secret (a *_file key or ${VAR})", m[1])
		}
	}
}

// loadConfig loads the rendered patrol.yaml with config.Parse as container c would see it: its
// environment (a Secret key as a placeholder value) and the Secret's files, written to a
// temporary directory that stands for the mount.
//
// Until the PostgreSQL store is built in, store.Config.Validate refuses the postgres driver;
// then that refusal, and only it, is the expected error. Once the driver is built in, the
// postgres overlay's config must load cleanly like the others.
func loadConfig(t *testing.T, r *rendered, c corev1.Container) *config.Config {
	t.Helper()
	dir := t.TempDir()
	text := strings.ReplaceAll(r.configMaps[0].Data["patrol.yaml"], secretsDir, dir)
	for _, m := range regexp.MustCompile(regexp.QuoteMeta(dir)+`/([a-z0-9-]+)`).FindAllStringSubmatch(text, -1) {
		if err := os.WriteFile(filepath.Join(dir, m[1]), []byte("placeholder-"+m[1]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Key == "store-dsn":
			env[e.Name] = pgDSN
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "placeholder-" + e.ValueFrom.SecretKeyRef.Key
		case strings.HasPrefix(e.Value, secretsDir):
			env[e.Name] = strings.Replace(e.Value, secretsDir, dir, 1)
		default:
			env[e.Name] = e.Value
		}
	}
	// The SQLite file and the clone cache are made by serve, not by Load; keep them inside
	// the temporary directory all the same.
	env["PATROL_CLONE_DIR"] = filepath.Join(dir, "repos")
	if env["PATROL_STORE_DRIVER"] == "sqlite" {
		env["PATROL_STORE_DSN"] = filepath.Join(dir, "patrol.db")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var wantErr string
	if env["PATROL_STORE_DRIVER"] != "sqlite" {
		if err := (store.Config{Driver: env["PATROL_STORE_DRIVER"], DSN: pgDSN}).Validate(); err != nil {
			wantErr = err.Error()
		}
	}
	cfg, err := config.Parse(filepath.Join(dir, "patrol.yaml"), []byte(text))
	switch {
	case err == nil && wantErr == "":
		return cfg
	case err != nil && wantErr != "" && strings.Contains(err.Error(), wantErr):
		// The rest of the file must still load: parse it again on SQLite.
		t.Logf("container %s: %v (expected until the driver is built in)", c.Name, err)
		t.Setenv("PATROL_STORE_DRIVER", "sqlite")
		t.Setenv("PATROL_STORE_DSN", filepath.Join(dir, "patrol.db"))
		cfg, err := config.Parse(filepath.Join(dir, "patrol.yaml"), []byte(text))
		if err != nil {
			t.Fatalf("patrol.yaml of the ConfigMap, as container %s sees it, on SQLite: %v", c.Name, err)
		}
		return cfg
	default:
		t.Fatalf("patrol.yaml of the ConfigMap, as container %s sees it: %v (want error %q)", c.Name, err, wantErr)
		return nil
	}
}

// pgDSN stands for the Secret's store-dsn.
const pgDSN = "postgres://patrol@db.invalid:5432/patrol?sslmode=verify-full"

func volumeFor(pod *corev1.PodTemplateSpec, mountPath string) *corev1.Volume {
	for _, m := range pod.Spec.Containers[0].VolumeMounts {
		if m.MountPath == mountPath {
			for i, v := range pod.Spec.Volumes {
				if v.Name == m.Name {
					return &pod.Spec.Volumes[i]
				}
			}
		}
	}
	return nil
}

func envVar(c corev1.Container, name string) *corev1.EnvVar {
	for i, e := range c.Env {
		if e.Name == name {
			return &c.Env[i]
		}
	}
	return nil
}

func envValue(c corev1.Container, name string) string {
	if e := envVar(c, name); e != nil {
		return e.Value
	}
	return ""
}

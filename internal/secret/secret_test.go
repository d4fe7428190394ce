package secret

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "****"},
		{"sk_test_abcdefghijklmnopqrstuvwxyz1234", "sk_test_…1234"},
		{"sk_live_abcdefghijklmnopqrstuvwxyz9876", "sk_live_…9876"},
		{"sk_abcdefghijklmnopqrstuvwxyz9876", "sk_…9876"},
		{"a-long-cookie-password-of-32-chars-x", "…rs-x"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	var r Redactor
	r.Add("cookie-password-0123456789-abcdef")
	r.Add("abc") // too short to register
	in := "key sk_test_0123456789abcdef and cookie-password-0123456789-abcdef, not ask_me or abc"
	got := r.Redact(in)
	for _, leak := range []string{"sk_test_0123456789abcdef", "cookie-password-0123456789-abcdef"} {
		if strings.Contains(got, leak) {
			t.Errorf("Redact left %q in %q", leak, got)
		}
	}
	for _, keep := range []string{"sk_test_…cdef", "ask_me", "abc"} {
		if !strings.Contains(got, keep) {
			t.Errorf("Redact(%q) = %q, want it to contain %q", in, got, keep)
		}
	}
}

func TestPublicPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"VITE_WORKOS_CLIENT_ID":       "VITE_",
		"NEXT_PUBLIC_WORKOS_REDIRECT": "NEXT_PUBLIC_",
		"WORKOS_API_KEY":              "",
		"EXPO_PUBLIC_X":               "EXPO_PUBLIC_",
	} {
		if got := PublicPrefix(name); got != want {
			t.Errorf("PublicPrefix(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestIsSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"WORKOS_API_KEY":         true,
		"WORKOS_COOKIE_PASSWORD": true,
		"WORKOS_WEBHOOK_SECRET":  true,
		"WORKOS_CLIENT_ID":       false,
		"VITE_WORKOS_REDIRECT":   false,
	} {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

// encodings are the forms a registered secret can take in output; each
// must be masked.
var encodings = map[string]func(string) string{
	"raw":           func(s string) string { return s },
	"go json":       func(s string) string { return goJSON(s, true) },
	"go json noesc": func(s string) string { return goJSON(s, false) },
	"json twice":    func(s string) string { return goJSON(goJSON(s, true), false) },
	"js json":       jsonStyle{shortBF: true}.escape,
	"php json":      jsonStyle{slash: true, shortBF: true}.escape,
	"python json":   jsonStyle{ascii: true}.escape,
	"upper hex":     jsonStyle{upperHex: true}.escape,
	"query":         url.QueryEscape,
	"path":          url.PathEscape,
}

func TestRedactEncodings(t *testing.T) {
	secrets := []string{
		`LEAKPASS"word\x12345`,
		"pass<with>&html/chars-and-é",
		"tab\there\x01ctrl\bbs\fff-secret",
		"a password with spaces+plus%percent",
		"sk_test_a1B2c3D4e5F6g7H8i9J0",
	}
	for _, sec := range secrets {
		var r Redactor
		r.Add(sec)
		for name, enc := range encodings {
			form := enc(sec)
			got := r.Redact(`{"error":"bad request","body":"` + form + `"}`)
			if strings.Contains(got, form) {
				t.Errorf("%s form of %q survived: %s", name, sec, got)
			}
		}
	}
}

func TestRedactKeepsJSONValid(t *testing.T) {
	sec := `p"ss\word<&>` + "\n\x01tail"
	var r Redactor
	r.Add(sec)
	doc, err := json.Marshal(map[string]string{"password": sec, "echo": goJSON(sec, true)})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Redact(string(doc))
	if !json.Valid([]byte(got)) {
		t.Errorf("redacted document is no longer JSON: %s", got)
	}
	if strings.Contains(got, "ss\\\\word") || strings.Contains(got, "ss\\word") {
		t.Errorf("secret survived: %s", got)
	}
}

func TestRedactMultiLine(t *testing.T) {
	sec := "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nab\n-----END KEY-----"
	var r Redactor
	r.Add(sec)
	// A diff prints each line of the value on its own, with a prefix.
	diff := "  WORKOS_KEY=\"-----BEGIN KEY-----\n+ MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n+ BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n+ ab\n"
	got := r.Redact(diff)
	for _, line := range []string{"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"} {
		if strings.Contains(got, line) {
			t.Errorf("line %q survived:\n%s", line, got)
		}
	}
	// "ab" is too short to mean anything and stays.
	if !strings.Contains(got, "+ ab\n") {
		t.Errorf("short line was masked:\n%s", got)
	}
	if whole := r.Redact("v=" + sec + ";"); whole != "v="+Mask(sec)+";" {
		t.Errorf("whole value: got %q, want %q", whole, "v="+Mask(sec)+";")
	}
}

func TestRedactOverlapping(t *testing.T) {
	var r Redactor
	r.Add("first-secret-ABCDEF")
	r.Add("ABCDEF-second-secret")
	got := r.Redact("x first-secret-ABCDEF-second-secret y")
	if got != "x **** y" {
		t.Errorf("got %q", got)
	}
}

func TestMaskKeysUserinfo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://user:PASS@db.example.com:5432/app", "postgres://user:****@db.example.com:5432/app"},
		{"  DATABASE_URL=redis://:s3cr3t@localhost:6379", "  DATABASE_URL=redis://:****@localhost:6379"},
		{`"url":"https://a:b@c/x" and ftp://u:p%40ss@h`, `"url":"https://a:****@c/x" and ftp://u:****@h`},
		{"https://user@example.com/ no password", "https://user@example.com/ no password"},
		{"https://example.com/?email=a:b@c.d", "https://example.com/?email=a:b@c.d"},
		{"https://example.com:8080/x@y", "https://example.com:8080/x@y"},
		{"://u:p@h", "://u:p@h"},
		{"https://u:@h", "https://u:@h"},
		{"no url here", "no url here"},
		{"https://u:p@h https://v:q@i", "https://u:****@h https://v:****@i"},
	}
	for _, tt := range tests {
		if got := MaskKeys(tt.in); got != tt.want {
			t.Errorf("MaskKeys(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestContainsKey(t *testing.T) {
	for in, want := range map[string]bool{
		"http://localhost:3000/callback?key=sk_test_0123456789": true,
		"https://x/sk_live_abcdefghij/cb":                       true,
		"https://ask_me.example.com/":                           false,
		"https://example.com/sk_":                               false,
	} {
		if got := ContainsKey(in); got != want {
			t.Errorf("ContainsKey(%q) = %v, want %v", in, got, want)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	var r Redactor
	r.Add("sk_test_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6")
	r.Add(`cookie-password-"quoted"-0123456789-abcdef`)
	r.Add("line-one-of-a-key-0123456789\nline-two-of-a-key-0123456789")
	line := strings.Repeat("+ WORKOS_REDIRECT_URI=http://localhost:5173/callback plain output line\n", 20)
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_ = r.Redact(line)
	}
}

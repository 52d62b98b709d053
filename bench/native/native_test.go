package main

import (
	"strings"
	"testing"
)

func TestPayoutAddressesMatchTheDenoLoadGenerator(t *testing.T) {
	// scripts/loadgen/options.ts payoutAddresses(2, "kaspadev") and (1, "kaspa").
	want := []string{
		"kaspadev:qp94xnz8qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqz4gj7xmr3",
		"kaspadev:qp94xnz8qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqyyzkdz3jh",
	}
	got := payoutAddresses(2, "kaspadev")
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("address %d: got %s, want %s", i, got[i], want[i])
		}
	}
	if a := payoutAddresses(1, "kaspa")[0]; a != "kaspa:qp94xnz8qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqzekhc5xka" {
		t.Errorf("mainnet address: %s", a)
	}
}

func TestNotifyJobReadsEveryDialectsTimestamp(t *testing.T) {
	cases := []struct {
		line, key string
		ts        int64
	}{
		{`{"id":1,"method":"mining.notify","params":["7",[14154665447193471550,9528586525576680646,16772432570288452798,13444925046868710919],1231006544254]}`, "7", 1231006544254},
		{`{"method":"mining.notify","params":["2","de761a0eb8e1a64213676c9049f11cd51e165b17f3ee63941ca7d37d2cb019a8640bb59d1e010000"]}`, "2", 0x11e9db50b64},
		{`{"method":"notify","params":["1","AF11d6a9d9a65d2898e2b3c84901d018b2ff950a626a2efb47a1528ffa6a201d","1231006513094",9.5e-7]}`, "af11d6a9d9a65d2898e2b3c84901d018b2ff950a626a2efb47a1528ffa6a201d", 1231006513094},
	}
	for _, c := range cases {
		m, ok := parseMessage([]byte(c.line))
		if !ok || str(m.method) == "" {
			t.Fatalf("not parsed: %s", c.line)
		}
		key, ts, ok := notifyJob(m.params)
		if !ok || key != c.key || ts != c.ts {
			t.Errorf("%s: got %q %d %v", c.line, key, ts, ok)
		}
	}
}

func TestParseMessageRepliesAndErrors(t *testing.T) {
	m, ok := parseMessage([]byte(` {"id":5,"result":null,"error":[23,"Low difficulty share",null]} `))
	if !ok || string(m.id) != "5" || !isNull(m.result) || errorCode(m.err) != 23 {
		t.Errorf("A-C error: %+v", m)
	}
	m, ok = parseMessage([]byte(`{"id":3,"result":[0,"0001",9.5e-7],"error":null}`))
	r := splitArray(m.result)
	if !ok || len(r) != 3 || str(r[1]) != "0001" || !isNull(m.err) {
		t.Errorf("D authorize: %+v", m)
	}
	m, _ = parseMessage([]byte(`{"id":9,"result":false,"error":{"code":21,"message":"x \"y\""}}`))
	if errorCode(m.err) != 21 {
		t.Errorf("object error: %+v", m)
	}
	for _, bad := range []string{``, `[1]`, `{"id":`, `{"id":1,"method":"x"`} {
		if _, ok := parseMessage([]byte(bad)); ok {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestSubmitLinesCarryTheNonceEachDialectExpects(t *testing.T) {
	a := submitLine('A', 10, "kaspadev:q.w", "3", 0x0001_0000_0000_07a8, "0001")
	if !strings.Contains(a, `"3","0000000007a8"]`) {
		t.Errorf("A: %s", a)
	}
	c := submitLine('C', 11, "kaspadev:q.w", "3", 0xf6db7, "")
	if !strings.Contains(c, `"00000000000f6db7"]`) {
		t.Errorf("C: %s", c)
	}
	d := submitLine('D', 12, "0", "af11", 281474976712616, "0001")
	if d != `{"id":12,"method":"submit","params":["0","af11","281474976712616"]}`+"\n" {
		t.Errorf("D: %s", d)
	}
}

func TestReachCountsANewerTemplateAsHeld(t *testing.T) {
	logs := [][]receipt{
		{{ts: 100, at: 105}, {ts: 200, at: 210}},
		{{ts: 200, at: 230}}, // skipped 100: held by the newer 200 at 230
	}
	templates, pooled := reach(logs, 0, 1000)
	if len(templates) != 2 || templates[0].Reached != 2 || templates[0].Received != 1 {
		t.Fatalf("templates: %+v", templates)
	}
	if templates[0].Max != 130 || templates[0].LastAt != 230 || templates[1].Max != 30 {
		t.Errorf("templates: %+v", templates)
	}
	if pooled.Count != 4 || pooled.Max != 130 {
		t.Errorf("pooled: %+v", pooled)
	}
}

func TestDialectPlanFollowsTheWeights(t *testing.T) {
	mix, err := parseMix("array:1,bighex:1,bitmain:1,simple:1")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(func() []byte {
		b := []byte{}
		for _, d := range dialectPlan(6, mix) {
			b = append(b, byte(d))
		}
		return b
	}()); got != "ABCDAB" {
		t.Errorf("plan: %s", got)
	}
	if _, err := parseMix("A:1"); err == nil {
		t.Error("accepted dialect A: the ids are kstratum's (array, bighex, bitmain, simple)")
	}
}

package netlink

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDemuxDumpsSerialised(t *testing.T) {
	c, tr := demuxTestConn(t)

	res1 := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 1)) })
	req1 := tr.request(t)
	res2 := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 2)) })

	// The second dump waits for the first to end.
	tr.noRequest(t, 100*time.Millisecond)
	seq1 := req1.Header.Sequence
	tr.reply(t, demuxTestMessage(seq1, Multi, 10), demuxTestMessage(seq1, Multi, 11))
	tr.reply(t, demuxTestMessage(seq1, Multi, 12))
	tr.noRequest(t, 50*time.Millisecond)
	tr.reply(t, demuxTestDone(seq1))

	req2 := tr.request(t)
	if v := demuxTestValue(req2); v != 2 {
		t.Fatalf("second request holds %d, want 2", v)
	}
	seq2 := req2.Header.Sequence
	tr.reply(t, demuxTestMessage(seq2, Multi, 20), demuxTestDone(seq2))

	r1 := demuxTestWait(t, res1)
	if r1.err != nil {
		t.Fatalf("first dump: %v", r1.err)
	}
	want1 := []Message{demuxTestMessage(seq1, Multi, 10), demuxTestMessage(seq1, Multi, 11), demuxTestMessage(seq1, Multi, 12)}
	if diff := cmp.Diff(want1, r1.msgs); diff != "" {
		t.Fatalf("first dump: unexpected messages (-want +got):\n%s", diff)
	}
	r2 := demuxTestWait(t, res2)
	if r2.err != nil {
		t.Fatalf("second dump: %v", r2.err)
	}
	if diff := cmp.Diff([]Message{demuxTestMessage(seq2, Multi, 20)}, r2.msgs); diff != "" {
		t.Fatalf("second dump: unexpected messages (-want +got):\n%s", diff)
	}
	tr.checkDumps(t)
}

func TestDemuxCancelledDump(t *testing.T) {
	c, tr := demuxTestConn(t)

	ctx, cancel := context.WithCancel(context.Background())
	res1 := demuxTestGo(func() ([]Message, error) { return c.ExecuteContext(ctx, demuxTestRequest(Dump, 1)) })
	req1 := tr.request(t)
	seq1 := req1.Header.Sequence
	tr.reply(t, demuxTestMessage(seq1, Multi, 10))
	cancel()
	if r := demuxTestWait(t, res1); !errors.Is(r.err, context.Canceled) {
		t.Fatalf("want an error matching context.Canceled, got messages %+v and error %v", r.msgs, r.err)
	}

	// The next dump waits for the rest of the abandoned one, which nobody
	// but the Conn itself reads.
	res2 := demuxTestGo(func() ([]Message, error) { return c.Execute(demuxTestRequest(Dump, 2)) })
	tr.noRequest(t, 100*time.Millisecond)
	tr.reply(t, demuxTestMessage(seq1, Multi, 11))
	tr.reply(t, demuxTestMessage(seq1, Multi, 12), demuxTestDone(seq1))

	req2 := tr.request(t)
	seq2 := req2.Header.Sequence
	tr.reply(t, demuxTestMessage(seq2, Multi, 20), demuxTestMessage(seq2, Multi, 21))
	tr.reply(t, demuxTestDone(seq2))
	r2 := demuxTestWait(t, res2)
	if r2.err != nil {
		t.Fatalf("second dump: %v", r2.err)
	}
	want2 := []Message{demuxTestMessage(seq2, Multi, 20), demuxTestMessage(seq2, Multi, 21)}
	if diff := cmp.Diff(want2, r2.msgs); diff != "" {
		t.Fatalf("second dump: unexpected messages (-want +got):\n%s", diff)
	}
	tr.checkDumps(t)

	// Nothing of the abandoned dump reaches Receive.
	demuxTestNextIsNotification(t, c, tr)
}

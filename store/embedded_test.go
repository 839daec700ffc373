package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"lianzhu/internal/proc"
	"lianzhu/internal/testenv"
	"lianzhu/store"
)

func TestEmbeddedRoundTrip(t *testing.T) {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(testenv.MongoURI(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	coll := client.Database(testenv.DBName(t)).Collection("needs")

	doc := bson.M{"_id": "n1", "status": "open", "title": "助浴", "fen": int64(12345)}
	if _, err := coll.InsertOne(ctx, doc); err != nil {
		t.Fatal(err)
	}
	var got bson.M
	if err := coll.FindOne(ctx, bson.M{"status": "open"}).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["title"] != "助浴" || got["fen"] != int64(12345) {
		t.Fatalf("round trip: got %v", got)
	}
	if _, err := coll.InsertOne(ctx, doc); !mongo.IsDuplicateKeyError(err) {
		t.Fatalf("second insert of the same _id: got %v, want a duplicate key error", err)
	}
}

// TestGuardedUpdateOneConnection checks the claim of ARCHITECTURE.md that
// FerretDB makes a guarded update exact when all writes share one
// connection: of many concurrent claims of an open document, one wins.
func TestGuardedUpdateOneConnection(t *testing.T) {
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(testenv.MongoURI(t)).SetMaxPoolSize(1))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	coll := client.Database(testenv.DBName(t)).Collection("tasks")
	if _, err := coll.InsertOne(ctx, bson.M{"_id": "t1", "status": "open"}); err != nil {
		t.Fatal(err)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			res, err := coll.UpdateOne(ctx,
				bson.M{"_id": "t1", "status": "open"},
				bson.M{"$set": bson.M{"status": "claimed", "by": i}})
			if err != nil {
				t.Error(err)
				return
			}
			wins.Add(int32(res.ModifiedCount))
		})
	}
	wg.Wait()
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d claims won, want exactly 1", n)
	}
}

func TestStartEmbeddedDirInUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	unlock, err := proc.LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = store.StartEmbedded(context.Background(), store.EmbeddedOptions{DataDir: dir, PGBin: pgBin(t)})
	want := fmt.Sprintf("data dir %s is already in use by another lianzhu process (pid %d)", dir, os.Getpid())
	if err == nil || err.Error() != want {
		t.Fatalf("StartEmbedded on a locked dir: got %v, want %q", err, want)
	}
}

// TestStartEmbeddedUnreachableDir: as root PostgreSQL runs as nobody, which
// cannot reach a data dir below a 0700 folder; the error must name it.
func TestStartEmbeddedUnreachableDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands PostgreSQL to another user")
	}
	private, err := os.MkdirTemp("", "lianzhu-private-") // 0700
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(private) })
	_, err = store.StartEmbedded(context.Background(), store.EmbeddedOptions{
		DataDir: filepath.Join(private, "data"), PGBin: pgBin(t),
	})
	if err == nil || !strings.Contains(err.Error(), "cannot enter folder "+private+" ") {
		t.Fatalf("StartEmbedded below a 0700 folder: got %v", err)
	}
}

func pgBin(t *testing.T) string {
	t.Helper()
	bin, err := testenv.PGBin()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

package scantest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"strconv"
	"testing"
)

// File is one member of an archive built by Zip or TarGz.
type File struct {
	Name, Content string
}

// Zip returns a zip (deflated) of files.
func Zip(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(f.Content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Tar returns a tar of files.
func Tar(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, f := range files {
		if err := w.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.Content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Gzip returns data gzipped, with name in the gzip header (none when empty).
func Gzip(t testing.TB, name string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Name = name
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TarGz returns a gzipped tar of files.
func TarGz(t testing.TB, files ...File) []byte {
	t.Helper()
	return Gzip(t, "", Tar(t, files...))
}

// ZipBomb returns a zip of n members named zeros-<i> of size bytes of zeros each: one deflate
// stream, compressed once and stored n times, so that building a 1 GiB bomb costs a moment.
func ZipBomb(t testing.TB, n int, size int64) []byte {
	t.Helper()
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	crc := crc32.NewIEEE()
	for left := size; left > 0; left -= int64(len(zeros)) {
		chunk := zeros[:min(left, int64(len(zeros)))]
		_, _ = fw.Write(chunk)
		_, _ = crc.Write(chunk)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for i := range n {
		h := &zip.FileHeader{Name: "zeros-" + strconv.Itoa(i), Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(size)}
		rw, err := w.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rw.Write(comp.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Nested returns levels archives, each inside the next, alternating zip and tar.gz, around a
// file named name holding content: the innermost archive is level-1.zip, the outermost
// level-<levels> (a zip when levels is odd).
func Nested(t testing.TB, levels int, name, content string) []byte {
	t.Helper()
	data := []byte(content)
	for i := 1; i <= levels; i++ {
		if i%2 == 1 {
			data = Zip(t, File{name, string(data)})
			name = "level-" + strconv.Itoa(i) + ".zip"
		} else {
			data = TarGz(t, File{name, string(data)})
			name = "level-" + strconv.Itoa(i) + ".tar.gz"
		}
	}
	return data
}

"""Tests for the MLP pack's datasets (grader/packs/mlp/datasets.py) and the MNIST subset it
ships in grader/packs/mlp/data/mnist."""
import gzip
import hashlib
import importlib.util
import json
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from grader.packs.mlp import datasets  # noqa: E402
from grader.packs.mlp.datasets import load_mnist, read_idx, write_idx, xor  # noqa: E402

SUBSET_DIR = REPO_ROOT / "grader" / "packs" / "mlp" / "data" / "mnist"
SHARED_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_mnist_subset.py"


def load_build_script():
    """Import scripts/build_mnist_subset.py as a module (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location("build_mnist_subset", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def subset():
    """The committed subset, loaded once for the module."""
    return load_mnist(SUBSET_DIR)


# ------------------------------------------------------------- read/write IDX
@pytest.mark.parametrize("name", ["small-idx3-ubyte.gz", "small-idx3-ubyte"])
def test_write_then_read_round_trips(tmp_path, name):
    array = np.random.default_rng(0).integers(0, 256, size=(7, 5, 3), dtype=np.uint8)
    write_idx(tmp_path / name, array)
    back = read_idx(tmp_path / name)
    assert back.dtype == np.uint8
    assert back.shape == (7, 5, 3)
    np.testing.assert_array_equal(back, array)


def test_gz_really_is_gzip_and_raw_really_is_raw(tmp_path):
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "a", array)
    raw = (tmp_path / "a").read_bytes()
    assert raw == bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 3, 4, 5])
    assert gzip.decompress((tmp_path / "a.gz").read_bytes()) == raw


def test_write_idx_is_deterministic(tmp_path):
    array = np.random.default_rng(1).integers(0, 256, size=(50, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "one.gz", array)
    write_idx(tmp_path / "two.gz", array)          # different name: not in the header
    one = (tmp_path / "one.gz").read_bytes()
    assert one == (tmp_path / "two.gz").read_bytes()
    # gzip header: magic, deflate, no flags (so no file name), mtime 0, max compression
    assert one[:10] == b"\x1f\x8b\x08\x00" + bytes(4) + b"\x02\xff"


def test_write_idx_rejects_non_uint8(tmp_path):
    with pytest.raises(TypeError):
        write_idx(tmp_path / "f.gz", np.zeros((2, 2), dtype=np.float32))


def test_read_idx_decodes_big_endian_dtypes(tmp_path):
    values = np.array([[1, -2, 300], [-32768, 32767, 0]], dtype=">i2")
    path = tmp_path / "shorts.idx"
    path.write_bytes(bytes([0, 0, 0x0B, 2]) + struct.pack(">2I", 2, 3) + values.tobytes())
    back = read_idx(path)
    assert back.dtype == np.int16 and back.dtype.isnative
    np.testing.assert_array_equal(back, [[1, -2, 300], [-32768, 32767, 0]])


def one_line_error_naming(excinfo, name):
    message = str(excinfo.value)
    assert name in message
    assert "\n" not in message
    return message


def test_read_idx_rejects_truncated_raw_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((3, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError) as excinfo:
        read_idx(path)
    message = one_line_error_naming(excinfo, path.name)
    assert message == datasets.ERR_DATA_LENGTH.format(
        name=path.name, expected=3 * 28 * 28, found=3 * 28 * 28 - 10)


def test_read_idx_rejects_idx_with_too_little_data_inside_gzip(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    header = bytes([0, 0, 0x08, 3]) + struct.pack(">3I", 60000, 28, 28)
    path.write_bytes(gzip.compress(header + bytes(100), mtime=0))
    with pytest.raises(ValueError) as excinfo:
        read_idx(path)
    assert str(excinfo.value) == ("train-images-idx3-ubyte.gz: "
                                  "expected 47040000 bytes of data, found 100")


def test_read_idx_rejects_truncated_gzip_stream(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    write_idx(path, np.arange(200, dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(ValueError) as excinfo:
        read_idx(path)
    one_line_error_naming(excinfo, path.name)


def test_read_idx_rejects_extra_data(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    write_idx(path, np.arange(10, dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(ValueError) as excinfo:
        read_idx(path)
    one_line_error_naming(excinfo, path.name)


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x01", b"\x00\x00\x07\x01", b"\x00\x01"])
def test_read_idx_rejects_bad_magic(tmp_path, magic):
    path = tmp_path / "bad-magic-idx1-ubyte"
    path.write_bytes(magic + struct.pack(">I", 1) + b"\x05")
    with pytest.raises(ValueError) as excinfo:
        read_idx(path)
    one_line_error_naming(excinfo, path.name)


def test_read_idx_rejects_truncated_header(tmp_path):
    path = tmp_path / "short-header-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 0x08, 3]) + struct.pack(">I", 5))
    with pytest.raises(ValueError) as excinfo:
        read_idx(path)
    one_line_error_naming(excinfo, path.name)


# ----------------------------------------------------------------- load_mnist
def write_fake_mnist(directory, n_train=4, n_test=3, n_test_labels=None):
    """Four tiny MNIST-shaped files in `directory`."""
    n_test_labels = n_test if n_test_labels is None else n_test_labels
    write_idx(directory / "train-images-idx3-ubyte.gz", np.zeros((n_train, 28, 28), np.uint8))
    write_idx(directory / "train-labels-idx1-ubyte.gz", np.zeros(n_train, np.uint8))
    write_idx(directory / "t10k-images-idx3-ubyte.gz", np.zeros((n_test, 28, 28), np.uint8))
    write_idx(directory / "t10k-labels-idx1-ubyte.gz", np.zeros(n_test_labels, np.uint8))


def test_load_mnist_reports_missing_file(tmp_path):
    write_fake_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError) as excinfo:
        load_mnist(tmp_path)
    one_line_error_naming(excinfo, "t10k-labels-idx1-ubyte.gz")


def test_load_mnist_rejects_count_mismatch(tmp_path):
    write_fake_mnist(tmp_path, n_test=3, n_test_labels=2)
    with pytest.raises(ValueError) as excinfo:
        load_mnist(tmp_path)
    message = one_line_error_naming(excinfo, "t10k-images-idx3-ubyte.gz")
    assert "t10k-labels-idx1-ubyte.gz" in message


def test_load_mnist_on_fake_files(tmp_path):
    write_fake_mnist(tmp_path, n_train=4, n_test=3)
    data = load_mnist(tmp_path)
    assert data["train_images"].shape == (4, 28, 28)
    assert data["test_labels"].shape == (3,)


# ------------------------------------------------------- the committed subset
def test_subset_shapes_and_dtypes(subset):
    assert set(subset) == {"train_images", "train_labels", "test_images", "test_labels"}
    assert subset["train_images"].shape == (10000, 28, 28)
    assert subset["train_labels"].shape == (10000,)
    assert subset["test_images"].shape == (2000, 28, 28)
    assert subset["test_labels"].shape == (2000,)
    for array in subset.values():
        assert array.dtype == np.uint8


def test_subset_is_class_balanced(subset):
    assert np.bincount(subset["train_labels"], minlength=10).tolist() == [1000] * 10
    assert np.bincount(subset["test_labels"], minlength=10).tolist() == [200] * 10


def test_subset_keeps_classes_mixed(subset):
    # sorted indices keep the original order, so labels are not grouped by class
    assert np.count_nonzero(np.diff(subset["train_labels"].astype(int))) > 5000


def test_subset_pixels_span_full_range(subset):
    for key in ("train_images", "test_images"):
        assert subset[key].min() == 0
        assert subset[key].max() == 255


def test_no_test_image_is_a_copy_of_a_training_image(subset):
    train = {image.tobytes() for image in subset["train_images"]}
    copies = sum(image.tobytes() in train for image in subset["test_images"])
    assert copies == 0


def test_committed_files_match_recorded_md5s():
    recorded = json.loads((SUBSET_DIR / "SOURCE.json").read_text(encoding="utf-8"))
    assert recorded["seed"] == 20261122
    md5s = recorded["subset_md5_uncompressed"]
    assert len(md5s) == 4
    for raw_name, md5 in md5s.items():
        content = gzip.decompress((SUBSET_DIR / (raw_name + ".gz")).read_bytes())
        assert hashlib.md5(content).hexdigest() == md5, raw_name


def test_rebuild_gives_identical_files(tmp_path):
    if not SHARED_MNIST.is_dir():
        pytest.skip(f"full MNIST not available at {SHARED_MNIST}; cannot rebuild the subset")
    script = load_build_script()
    assert script.main(["--source", str(SHARED_MNIST), "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in SUBSET_DIR.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    for name in names:
        committed, rebuilt = (SUBSET_DIR / name).read_bytes(), (tmp_path / name).read_bytes()
        if name.endswith(".gz"):   # content first: a zlib upgrade alone changes only the .gz
            assert gzip.decompress(rebuilt) == gzip.decompress(committed), name
        assert rebuilt == committed, name


def test_build_script_rejects_wrong_source_md5(tmp_path, capsys):
    source = tmp_path / "source"
    source.mkdir()
    write_fake_mnist(source)
    script = load_build_script()
    assert script.main(["--source", str(source), "--out", str(tmp_path / "out")]) == 1
    assert "MD5" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------ xor
def test_xor():
    X, y = xor()
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert y.dtype == np.int64 and y.shape == (4,)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert np.array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(np.int64))

"""Writes a DataHigh struct array D as MATLAB v7.3 (HDF5) the way MATLAB lays it out:
a 512-byte MATLAB header in the HDF5 user block, group /D with MATLAB_class 'struct',
one dataset of object references per field pointing into /#refs#, arrays stored
transposed (HDF5 is row-major, MATLAB column-major), char arrays as uint16.
Usage: write_mat73.py SOURCE_V5.mat OUT.mat"""
import sys
import time

import h5py
import numpy as np
import scipy.io as sio

src, out = sys.argv[1], sys.argv[2]


def set_class(obj, name):
    """MATLAB writes MATLAB_class as a null-terminated fixed-length ASCII string."""
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(len(name))
    tid.set_strpad(h5py.h5t.STR_NULLTERM)
    attr = h5py.h5a.create(obj.id, b"MATLAB_class", tid, h5py.h5s.create(h5py.h5s.SCALAR))
    attr.write(np.array(name.encode(), dtype=f"S{len(name)}"), mtype=tid)

D = sio.loadmat(src)["D"]
n = D.shape[1]
with h5py.File(out, "w", userblock_size=512) as f:
    refs = f.create_group("#refs#")
    group = f.create_group("D")
    set_class(group, "struct")
    ref_dtype = h5py.special_dtype(ref=h5py.Reference)
    fields = {"data": [], "condition": []}
    for i in range(n):
        data = refs.create_dataset(f"d{i}", data=np.ascontiguousarray(D[0, i]["data"].T))
        set_class(data, str(D[0, i]["data"].dtype))
        text = str(D[0, i]["condition"][0])
        cond = refs.create_dataset(f"c{i}", data=np.array([[ord(ch)] for ch in text], dtype=np.uint16))
        set_class(cond, "char")
        cond.attrs["MATLAB_int_decode"] = np.int32(2)
        fields["data"].append(data.ref)
        fields["condition"].append(cond.ref)
    for name, items in fields.items():
        ds = group.create_dataset(name, (n, 1), dtype=ref_dtype)
        for i, r in enumerate(items):
            ds[i, 0] = r
    group.attrs.create("MATLAB_fields", data=np.array([np.frombuffer(k.encode(), dtype="S1") for k in fields],
                                                      dtype=h5py.vlen_dtype(np.dtype("S1"))))
header = ("MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: " + time.strftime("%a %b %d %H:%M:%S %Y") +
          " HDF5 schema 1.00 .").ljust(116).encode()
with open(out, "r+b") as f:
    f.write(header + b"\x00" * 8 + b"\x00\x02" + b"IM")

#pragma once
// HDF5 library state for this process: NeuroLens turns HDF5's automatic error
// printing off (it would write stack dumps to stderr) and reports failures as
// InputError messages naming the file and the object instead.
namespace neurolens::io {

// Idempotent; called by every reader and writer before touching HDF5.
void quietHdf5Errors();

}  // namespace neurolens::io

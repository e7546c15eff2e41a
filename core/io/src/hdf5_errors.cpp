#include <H5Cpp.h>

#include "neurolens/io/hdf5_session.h"

namespace neurolens::io {

void quietHdf5Errors() {
  H5::Exception::dontPrint();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace neurolens::io

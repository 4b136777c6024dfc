#include "hamming.h"

#include <stdexcept>

namespace hamming {

int compute(const std::string& a, const std::string& b) {
    throw std::logic_error("not implemented yet");
}

}  // namespace hamming

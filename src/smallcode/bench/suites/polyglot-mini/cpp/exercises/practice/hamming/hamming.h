#pragma once

#include <string>

namespace hamming {

int compute(const std::string& a, const std::string& b);

}  // namespace hamming

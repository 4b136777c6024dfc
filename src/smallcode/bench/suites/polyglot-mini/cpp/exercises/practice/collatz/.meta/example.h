#pragma once

namespace collatz {

int steps(long long n);

}  // namespace collatz

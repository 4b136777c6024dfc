#include "collatz.h"

#include <stdexcept>

namespace collatz {

int steps(long long n) {
    if (n <= 0) {
        throw std::domain_error("only positive numbers");
    }
    int count = 0;
    while (n != 1) {
        n = (n % 2 == 0) ? n / 2 : 3 * n + 1;
        ++count;
    }
    return count;
}

}  // namespace collatz

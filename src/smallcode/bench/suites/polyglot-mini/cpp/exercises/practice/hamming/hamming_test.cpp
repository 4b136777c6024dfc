#include "hamming.h"

#include <functional>
#include <iostream>
#include <stdexcept>

static int run = 0;
static int failed = 0;

static void check(const char* name, const std::function<bool()>& test) {
    ++run;
    try {
        if (!test()) {
            ++failed;
            std::cout << "FAIL " << name << "\n";
        }
    } catch (const std::exception& e) {
        ++failed;
        std::cout << "FAIL " << name << ": " << e.what() << "\n";
    }
}

static int finish() {
    std::cout << "Tests run: " << run << ", Failures: " << failed << ", Errors: 0, Skipped: 0\n";
    return failed == 0 ? 0 : 1;
}

int main() {
    check("empty strands", [] { return hamming::compute("", "") == 0; });
    check("identical", [] { return hamming::compute("GGACTGA", "GGACTGA") == 0; });
    check("one difference", [] { return hamming::compute("A", "G") == 1; });
    check("long strands", [] { return hamming::compute("GGACGGATTCTG", "AGGACGGATTCT") == 9; });
    check("unequal lengths throw", [] {
        try {
            hamming::compute("AATG", "AAA");
        } catch (const std::domain_error&) {
            return true;
        }
        return false;
    });
    return finish();
}

#include "collatz.h"

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
    check("one", [] { return collatz::steps(1) == 0; });
    check("sixteen", [] { return collatz::steps(16) == 4; });
    check("twelve", [] { return collatz::steps(12) == 9; });
    check("large", [] { return collatz::steps(1000000) == 152; });
    check("zero throws", [] {
        try {
            collatz::steps(0);
        } catch (const std::domain_error&) {
            return true;
        }
        return false;
    });
    check("negative throws", [] {
        try {
            collatz::steps(-15);
        } catch (const std::domain_error&) {
            return true;
        }
        return false;
    });
    return finish();
}

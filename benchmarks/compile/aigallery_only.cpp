// Compile-time measure: including the whole client API, calling nothing.
#include <aigallery/aigallery.hpp>

int main() {
    return 0;
}

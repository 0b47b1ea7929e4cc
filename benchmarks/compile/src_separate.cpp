// Compile-time measure: the one translation unit that separate compilation
// adds, paid once per program (and not again while the library is unchanged).
#define AIGALLERY_SEPARATE_COMPILATION
#include <aigallery/src.hpp>

// The library's one translation unit in separate-compilation mode: the
// aigallery::compiled target (AIGALLERY_SEPARATE_COMPILATION is its public
// definition, so every user of the target is in the same mode).
#include <aigallery/src.hpp>

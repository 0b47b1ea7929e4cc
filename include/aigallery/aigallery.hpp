// Everything a client needs.
#pragma once

#include <aigallery/error.hpp>
#include <aigallery/http.hpp>
#include <aigallery/validation.hpp>
#include <aigallery/version.hpp>
#include <aigallery/visibility.hpp>
#include <aigallery/wire.hpp>

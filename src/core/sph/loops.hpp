// The SPH loops that every solver shares, written once, by topic. Each is a parallel loop over
// the fluid particles in cell order with a fixed summation order (neighbour grid order), so the
// results are bit-identical for any thread count.
//
//   pair_sums.hpp        density, density change, pressure-system diagonal, solver residual
//   wall_pressure.hpp    active walls, pressure terms with the extrapolated wall pressure
//                        (and the wall weights a solve with fixed positions keeps)
//   pair_gradients.hpp   the step's pair gradients, for the passes of such a solve
//   viscosity.hpp        pair viscosity (artificial, morris) and XSPH
//   forces.hpp           pressure and non-pressure accelerations
//   integrate.hpp        semi-implicit Euler
//   surface_tension.hpp  Akinci et al. 2013
#pragma once

#include "core/sph/forces.hpp"
#include "core/sph/integrate.hpp"
#include "core/sph/pair_sums.hpp"
#include "core/sph/viscosity.hpp"
#include "core/sph/wall_pressure.hpp"

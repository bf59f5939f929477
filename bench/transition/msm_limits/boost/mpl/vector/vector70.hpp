// boost::mpl::vector61 .. vector70, for Boost.MSM transition tables longer than the 50 rows
// Boost ships numbered vectors for. Built the way Boost's own boost/mpl/vector/vector50.hpp
// builds vector41 .. vector50 when BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS is defined (MSM's
// documentation: define BOOST_MPL_CFG_NO_PREPROCESSED_HEADERS and BOOST_MPL_LIMIT_VECTOR_SIZE,
// and supply the headers MPL lacks). On the include path as a system directory (bench/CMakeLists.txt).
#ifndef BOOST_MPL_VECTOR_VECTOR70_HPP_INCLUDED
#define BOOST_MPL_VECTOR_VECTOR70_HPP_INCLUDED

#include <boost/mpl/vector/vector60.hpp>
#include <boost/mpl/aux_/config/typeof.hpp>
#include <boost/mpl/aux_/config/ctps.hpp>
#include <boost/preprocessor/iterate.hpp>

namespace boost {
namespace mpl {
#define BOOST_PP_ITERATION_PARAMS_1 (3, (61, 70, <boost/mpl/vector/aux_/numbered.hpp>))
#include BOOST_PP_ITERATE()
}  // namespace mpl
}  // namespace boost

#endif  // BOOST_MPL_VECTOR_VECTOR70_HPP_INCLUDED

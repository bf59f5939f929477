// Compile time: the single header alone (its standard table is verified at compile time).
#include <tcpfsm/tcpfsm.hpp>
int main() {}

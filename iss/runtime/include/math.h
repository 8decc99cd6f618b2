/* Declarations only: csmith's headers include math.h; programs generated
   without floating point call none of these. */
#ifndef ISS_MATH_H
#define ISS_MATH_H
double fabs(double x);
float fabsf(float x);
#endif

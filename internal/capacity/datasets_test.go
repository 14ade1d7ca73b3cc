package capacity

// Published measurements used to check the fit against published
// coefficients. Data only; the sources are named on each set.

// specSDM91 is the SPEC SDM91 benchmark of a 16-CPU Sun SPARCcenter 2000
// (October 1994) from N. J. Gunther, Guerrilla Capacity Planning (Springer,
// 2007), as shipped in the R package usl (Stefan Möding,
// github.com/smoeding/usl, data/specsdm91.rda). The values are confirmed by
// the package's tests: fitted + residuals in tests/fitted.Rout.save and
// tests/residuals.Rout.save give back these throughputs.
var specSDM91 = []Point{
	{1, 64.9}, {18, 995.9}, {36, 1652.4}, {72, 1853.2},
	{108, 1828.9}, {144, 1775.0}, {216, 1702.2},
}

// rayTracer is the ray-tracing benchmark on an SGI Origin 2000 with 64
// R12000 processors from Gunther, Guerrilla Capacity Planning, as shipped in
// the R package usl (data/raytracer.rda). Confirmed by the package's old
// tests/t05.Rout.save: Gunther's quadratic method on these points gives
// the printed σ = 0.05002394, κ = 0.00000471 (see TestGuntherQuadratic).
var rayTracer = []Point{
	{1, 20}, {4, 78}, {8, 130}, {12, 170}, {16, 190}, {20, 200},
	{24, 210}, {28, 230}, {32, 260}, {48, 280}, {64, 310},
}

// schwartzPSA is the measurement set of Baron Schwartz, Practical
// Scalability Analysis with the Universal Scalability Law (VividCortex,
// 2015), as used in the test fixture of Coda Hale's Go usl library
// (github.com/codahale/usl, model_test.go), whose README says its
// coefficients are within 0.02% of the book's.
var schwartzPSA = []Point{
	{1, 955.16}, {2, 1878.91}, {3, 2688.01}, {4, 3548.68}, {5, 4315.54},
	{6, 5130.43}, {7, 5931.37}, {8, 6531.08}, {9, 7219.8}, {10, 7867.61},
	{11, 8278.71}, {12, 8646.7}, {13, 9047.84}, {14, 9426.55}, {15, 9645.37},
	{16, 9897.24}, {17, 10097.6}, {18, 10240.5}, {19, 10532.39}, {20, 10798.52},
	{21, 11151.43}, {22, 11518.63}, {23, 11806}, {24, 12089.37}, {25, 12075.41},
	{26, 12177.29}, {27, 12211.41}, {28, 12158.93}, {29, 12155.27}, {30, 12118.04},
	{31, 12140.4}, {32, 12074.39},
}

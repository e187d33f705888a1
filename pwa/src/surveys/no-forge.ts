// openrosa-xpath-evaluator needs node-forge only for ODK's digest(), which Zhucun's forms do
// not use (the importer refuses it); standing in for it keeps 250 KB out of the survey chunk.
// digest() fails on this empty object, as any unsupported function fails: false / empty.
export default {};

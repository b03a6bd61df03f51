// a source file in no layer folder

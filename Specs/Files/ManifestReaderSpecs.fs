module Ztwim.Specs.Files.ManifestReaderSpecs

open Expecto
open Ztwim.Kernel
open Ztwim.Adapters.Files

let private read (text: string) =
    match ManifestReader.Read text with
    | Ok docs -> Ok docs
    | Error e -> Error e

let private fails (name: string) (text: string) (expected: string) =
    test name {
        match read text with
        | Error e -> Expect.equal e expected "error line"
        | Ok docs -> failtestf "read %A" docs
    }

let private reads (name: string) (text: string) (expected: Json list) =
    test name { Expect.equal (read text) (Ok expected) "documents" }

let private aliasBomb =
    let lines =
        "l0: &l0 [a,a,a,a,a,a,a,a,a,a]"
        :: [ for i in 1..8 ->
                 sprintf "l%d: &l%d [%s]" i i (String.concat "," (List.replicate 10 (sprintf "*l%d" (i - 1)))) ]

    String.concat "\n" lines

[<Tests>]
let tests =
    testList
        "ManifestReader"
        [ reads
              "plain scalars resolve as kubectl's YAML 1.1 reader does"
              "a: yes\nb: \"yes\"\nc: 10\nd: 1.5\ne: ~\nf: on\ng: 0x1F\n"
              [ Json.obj
                    [ "a", Json.Bool true
                      "b", Json.String "yes"
                      "c", Json.num 10
                      "d", Json.Number 1.5m
                      "e", Json.Null
                      "f", Json.Bool true
                      "g", Json.String "0x1F" ] ]
          reads
              "documents are split on ---, empty ones dropped"
              "a: 1\n---\n---\nb: 2\n"
              [ Json.obj [ "a", Json.num 1 ]; Json.obj [ "b", Json.num 2 ] ]
          reads
              "a kind: List is read as its items"
              "kind: List\nitems:\n- a: 1\n- b: 2\n"
              [ Json.obj [ "a", Json.num 1 ]; Json.obj [ "b", Json.num 2 ] ]
          reads
              "JSON keeps its exact numbers"
              """{"n": 12345678901234567890}"""
              [ Json.obj [ "n", Json.Number 12345678901234567890m ] ]
          reads
              "a YAML flow sequence that is not JSON is read as YAML"
              "[a, b]"
              [ Json.Array [ Json.String "a"; Json.String "b" ] ]
          fails
              "a JSON syntax error names line and column"
              "{\"a\": [}"
              "line 1, column 8: '}' is an invalid start of a value"
          fails
              "a YAML syntax error names line and column"
              "a: b\n  c: d\n"
              "line 2, column 4: While scanning a plain scalar value, found invalid mapping."
          fails
              "a scanner failure still names a position"
              "a: [1, 2\nb: }\n"
              "line 1, column 6: malformed YAML after this point"
          fails "a non-string key is refused" "? [a]\n: b\n" "line 1, column 3: a mapping key must be a string"
          fails
              "a cyclic alias is refused instead of overflowing the stack"
              "a: &x [*x]\n"
              "line 1, column 4: an alias refers to a node that contains it"
          fails
              "deep nesting is refused"
              ("a: " + String.replicate 300 "[" + String.replicate 300 "]")
              "line 1, column 204: nested deeper than 200 levels"
          fails
              "an alias bomb is refused"
              aliasBomb
              "line 1, column 28: more than 1000000 values once aliases are expanded" ]

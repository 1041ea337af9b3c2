module Ztwim.Specs.Api.DurationSpecs

open Expecto
open Ztwim.Kernel.Api

let private invalid =
    Error "must be a duration such as 24h, 90m or 1h30m (units ns, us, ms, s, m, h)"

/// Go's time.ParseDuration, then Duration.String.
let private spelled =
    [ "24h", "24h0m0s"
      "1h", "1h0m0s"
      "5m", "5m0s"
      "1.5h", "1h30m0s"
      "90m", "1h30m0s"
      "1h30m", "1h30m0s"
      "2h45m30.5s", "2h45m30.5s"
      "300ms", "300ms"
      "1500ms", "1.5s"
      "1.5s", "1.5s"
      "61s", "1m1s"
      "1m0.5s", "1m0.5s"
      "0", "0s"
      "+0", "0s"
      "-0", "0s"
      "0h", "0s"
      "-1.5h", "-1h30m0s"
      "+5m", "5m0s"
      ".5h", "30m0s"
      "5.h", "5h0m0s"
      "1ns", "1ns"
      "1.9ns", "1ns"
      "1500ns", "1.5\u00b5s"
      "1us", "1\u00b5s"
      "1\u00b5s", "1\u00b5s"
      "1\u03bcs", "1\u00b5s"
      "2562047h", "2562047h0m0s"
      "9223372036854775807ns", "2562047h47m16.854775807s" ]

let private refused =
    [ ""
      "1"
      "h"
      ".h"
      "."
      "1d"
      "1w"
      "1H"
      "1h-1m"
      "1 h"
      " 1h"
      "--1h"
      "+-1h"
      "1..5h"
      "1.2.3s"
      "1e3s"
      "9223372036854775808ns"
      "2562048h"
      "9999999999999999999999999999h"
      "99999999999999999999999999999h" ]

[<Tests>]
let tests =
    testList
        "Duration"
        [ testList
              "parse then Go's String"
              [ for text, expected in spelled ->
                    test (sprintf "%A -> %s" text expected) {
                        Expect.equal (Duration.parse text |> Result.map Duration.goString) (Ok expected) "spelling"
                    } ]
          testList
              "parse refuses"
              [ for text in refused ->
                    test (sprintf "%A" text) {
                        Expect.equal (Duration.parse text |> Result.map Duration.goString) invalid "refused"
                    } ]
          test "keeps the text as written" {
              Expect.equal (Duration.parse "24h" |> Result.map Duration.text) (Ok "24h") "text"
          }
          test "nanoseconds" {
              Expect.equal
                  (Duration.parse "1h30m" |> Result.map (fun d -> d.Nanoseconds))
                  (Ok 5_400_000_000_000L)
                  "nanoseconds"
          }
          test "ofNanoseconds spells as Go" {
              Expect.equal (Duration.ofNanoseconds 86_400_000_000_000L |> Duration.text) "24h0m0s" "24h"
              Expect.equal (Duration.ofNanoseconds 0L |> Duration.text) "0s" "zero"
              Expect.equal (Duration.ofNanoseconds -1_000L |> Duration.text) "-1\u00b5s" "negative"
          } ]

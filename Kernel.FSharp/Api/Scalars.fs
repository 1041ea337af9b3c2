namespace Ztwim.Kernel.Api

open Ztwim.Kernel

/// SPIRE log levels.
[<RequireQualifiedAccess>]
type LogLevel =
    | Debug
    | Info
    | Warn
    | Error

/// SPIRE log formats.
[<RequireQualifiedAccess>]
type LogFormat =
    | Text
    | Json

/// Key types for the CA and JWT signing keys.
type KeyType =
    | Rsa2048
    | Rsa4096
    | EcP256
    | EcP384

/// The scalar fields the five kinds share: each knows its wire spelling.
[<RequireQualifiedAccess>]
module Scalars =

    let logLevels =
        [ "debug", LogLevel.Debug
          "info", LogLevel.Info
          "warn", LogLevel.Warn
          "error", LogLevel.Error ]

    let logFormats = [ "text", LogFormat.Text; "json", LogFormat.Json ]

    let keyTypes =
        [ "rsa-2048", Rsa2048
          "rsa-4096", Rsa4096
          "ec-p256", EcP256
          "ec-p384", EcP384 ]

    /// The wire spelling of an enum case.
    let spell (cases: (string * 'a) list) (value: 'a) =
        cases |> List.find (fun (_, c) -> c = value) |> fst

    /// A string boolean ("true"/"false" only, as upstream): a YAML `true` without quotes is refused.
    let stringBool (n: Node) : Validated<bool option> =
        match n.Value with
        | Some(Json.Bool _) -> Error [ Read.error n "must be the string \"true\" or \"false\" (quote it in YAML)" ]
        | _ ->
            Read.string n
            |> Read.enum n [ "true", true; "false", false ]
            |> Result.mapError (
                List.map (fun e ->
                    { e with
                        Message = "must be \"true\" or \"false\"" })
            )

    /// A string boolean printed back.
    let printBool (b: bool) =
        Json.String(if b then "true" else "false")

    let logLevel (n: Node) =
        Read.string n |> Read.enum n logLevels |> Read.orDefault LogLevel.Info

    let logFormat (n: Node) =
        Read.string n |> Read.enum n logFormats |> Read.orDefault LogFormat.Text

    /// A Go duration string.
    let duration (n: Node) =
        Read.string n |> Read.parseWith n Duration.parse

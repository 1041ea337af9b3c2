namespace Ztwim.Kernel.Render

open System
open System.Security.Cryptography
open System.Text

/// The config-hash annotations of pod templates, computed exactly as upstream so that taking over a
/// cluster restarts no SPIRE pod.
[<RequireQualifiedAccess>]
module Hash =

    let private sha256Hex (s: string) =
        SHA256.HashData(Encoding.UTF8.GetBytes s) |> Convert.ToHexStringLower

    /// Hex SHA-256 of the trimmed text (Go's strings.TrimSpace).
    let ofText (s: string) = sha256Hex (s.Trim())

    /// Hex SHA-256 of `trim(k)=trim(v);` over the keys in sorted order.
    let ofMap (m: Map<string, string>) =
        m
        |> Map.toList
        |> List.map (fun (k, v) -> sprintf "%s=%s;" (k.Trim()) (v.Trim()))
        |> String.concat ""
        |> sha256Hex

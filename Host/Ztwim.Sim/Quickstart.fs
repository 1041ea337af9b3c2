/// `ztwim-sim quickstart`: the main job's embedded default. Until the simulated cluster exists it prints the
/// quickstart CRs (the manual's examples) parsed and defaulted.
module Ztwim.Sim.Quickstart

open System.IO
open System.Reflection
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Adapters.Files

/// The embedded quickstart manifest.
let manifest () =
    use stream =
        Assembly.GetExecutingAssembly().GetManifestResourceStream("Ztwim.Sim.quickstart.yaml")

    use reader = new StreamReader(stream)
    reader.ReadToEnd()

/// Prints the defaulted CRs as YAML; exit code 0, or 2 if the embedded manifest were ever invalid.
let run (out: string -> unit) =
    match ManifestReader.Read(manifest ()) with
    | Error reason ->
        out (sprintf "quickstart.yaml: %s" reason)
        2
    | Ok docs ->
        let parsed = docs |> List.map Crs.parse

        match
            parsed
            |> List.collect (function
                | Error es -> es
                | Ok _ -> [])
        with
        | [] ->
            parsed
            |> List.choose Result.toOption
            |> List.map Crs.print
            |> Yaml.printAll
            |> out

            0
        | errors ->
            errors |> List.iter (FieldError.describe >> out)
            2

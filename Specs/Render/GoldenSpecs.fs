/// Golden files: whole rendered objects for reviewed cases (Specs/Golden/<case>/input.yaml, optional env.txt,
/// expected.yaml). Run with ZTWIM_UPDATE_GOLDEN=1 to rewrite expected.yaml after a reviewed change.
module Ztwim.Specs.Render.GoldenSpecs

open System
open System.IO
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Adapters.Files
open Ztwim.Specs

let private goldenDir = Repository.path "Specs/Golden"

/// env.txt: NAME=VALUE lines; PLATFORM=kubernetes selects plain Kubernetes.
let private environment (dir: string) =
    let file = Path.Combine(dir, "env.txt")

    let pairs =
        if File.Exists file then
            File.ReadAllLines file
            |> Array.choose (fun line ->
                match line.Split('=', 2) with
                | [| k; v |] when k.Trim() <> "" -> Some(k.Trim(), v.Trim())
                | _ -> None)
            |> Map.ofArray
        else
            Map.empty

    let platform =
        if Map.tryFind "PLATFORM" pairs = Some "kubernetes" then
            Kubernetes
        else
            OpenShift

    Mode.ofEnvironment platform (Map.remove "PLATFORM" pairs)

/// The rendered YAML of a case.
let render (dir: string) =
    match ManifestReader.Read(File.ReadAllText(Path.Combine(dir, "input.yaml"))) with
    | Error e -> failwithf "%s: %s" dir e
    | Ok docs ->
        let resources =
            docs
            |> List.map (fun doc ->
                match Crs.parse doc with
                | Ok r -> r
                | Error errors -> failwithf "%s: %s" dir (errors |> List.map FieldError.describe |> String.concat "; "))

        Operands.desired (Operands.ofResources resources) (environment dir)
        |> Ztwim.Sim.Render.printable
        |> Yaml.printAll

[<Tests>]
let tests =
    testList
        "golden"
        [ for dir in Directory.GetDirectories goldenDir |> Array.sort ->
              test (Path.GetFileName dir) {
                  let expectedFile = Path.Combine(dir, "expected.yaml")
                  let actual = render dir

                  if Environment.GetEnvironmentVariable "ZTWIM_UPDATE_GOLDEN" = "1" then
                      File.WriteAllText(expectedFile, actual)
                  else
                      Expect.isTrue
                          (File.Exists expectedFile)
                          (sprintf "%s is missing: run with ZTWIM_UPDATE_GOLDEN=1" expectedFile)

                      Expect.equal actual (File.ReadAllText expectedFile) "rendered objects"
              } ]

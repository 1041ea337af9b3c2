/// The suites stand on their own: a user's clone has nothing beside or above it, so no test may read outside
/// the repository. The only way out is KUBEBUILDER_ASSETS (the optional control-plane binaries). These specs
/// read the F# sources and project files of Specs/ and properties/ and hold each to that.
module Ztwim.Specs.IsolationSpecs

open System.IO
open System.Text.RegularExpressions
open Expecto
open Ztwim.Specs

/// A source file, relative to the repository root with '/' separators, and its lines.
type private Source = { Path: string; Lines: string array }

let private relative (full: string) =
    Path.GetRelativePath(Repository.root, full).Replace(Path.DirectorySeparatorChar, '/')

let private filesUnder (folder: string) (pattern: string) =
    Directory.GetFiles(Repository.path folder, pattern, SearchOption.AllDirectories)
    |> Array.filter (fun f ->
        let parts = (relative f).Split('/')
        not (Array.contains "bin" parts || Array.contains "obj" parts))
    |> Array.sort
    |> Array.toList

let private sources (pattern: string) =
    [ "Specs"; "properties" ]
    |> List.collect (fun folder -> filesUnder folder pattern)
    |> List.map (fun f ->
        { Path = relative f
          Lines = File.ReadAllLines f })

/// This file names the forbidden patterns in order to find them, so it is the one source not scanned.
let private self = "Specs/IsolationSpecs.fs"

let private fsSources () =
    sources "*.fs" |> List.filter (fun s -> s.Path <> self)

/// A way of reaching outside the repository, found line by line.
type private Escape =
    { Name: string
      Matches: Source -> string -> bool }

let private matching (pattern: string) =
    let regex = Regex(pattern, RegexOptions.IgnoreCase)
    fun (_: Source) (line: string) -> regex.IsMatch line

/// A directory walk: a recursive function called on a parent folder (`up dir.Parent`). Only Repository.fs may
/// walk up, because it stops at the repository root; a walk elsewhere finds a missing file in a folder above.
let private walksUp (source: Source) (line: string) =
    source.Path <> "Specs/Repository.fs"
    && Regex.Matches(line, @"\b(\w+)\s+\(?[\w.]*\.Parent\b")
       |> Seq.exists (fun m ->
           let name = m.Groups[1].Value

           source.Lines
           |> Array.exists (fun l -> Regex.IsMatch(l, @"\blet\s+rec\s+" + name + @"\b")))

/// The environment variables a test may read, and why each cannot lead a test to data outside the repository.
let allowedVariables =
    [ "KUBEBUILDER_ASSETS", "the control-plane binaries for the real-server tests: the one way outside"
      "PATH", "finds executables (kubectl), never test data"
      "ZTWIM_UPDATE_GOLDEN", "a switch: rewrite the golden files, which are inside the repository"
      "ZTWIM_CONVERGENCE_RUNS", "a number: how many convergence runs the property makes" ]

let private readsOtherVariable (_: Source) (line: string) =
    Regex.Matches(line, @"GetEnvironmentVariable\s*\(?\s*""([^""]+)""")
    |> Seq.exists (fun m -> not (allowedVariables |> List.exists (fun (v, _) -> v = m.Groups[1].Value)))

let private escapes: Escape list =
    [ { Name = "names ../shared"
        Matches = matching @"\.\.[/\\]shared" }
      // "shared" alone is a fine word (a ConfigMap key, say); as an argument of a path or file call, or between
      // slashes, it is the workspace folder.
      { Name = "has a \"shared\" path segment"
        Matches = matching @"(Path|Directory|File|DirectoryInfo)\.?\w*\s*\(.*""shared""|[/\\]shared[/\\""]" }
      { Name = "names an absolute path of this machine (/work, /root, /home)"
        Matches = matching @"""(/work|/root|/home)(/|"")" }
      { Name = "combines a path with \"..\""
        Matches = matching @"(Path\.Combine|Repository\.path)\s*\(?.*""\.\.([/\\""])" }
      { Name = "reads the user's home or a special folder"
        Matches = matching @"SpecialFolder|""~/|""HOME""" }
      { Name = "walks up the folders above the test binaries (use Repository.root)"
        Matches = walksUp }
      { Name = "reads an environment variable not in IsolationSpecs.allowedVariables"
        Matches = readsOtherVariable } ]

/// Each escape found: file, line number, line, and which rule.
let private findEscapes (files: Source list) =
    [ for source in files do
          for i, line in Array.indexed source.Lines do
              let code = line.Trim()

              // Comments may talk about ../shared (this very module does); only code reaches for it.
              if not (code.StartsWith "//") then
                  for escape in escapes do
                      if escape.Matches source line then
                          yield sprintf "%s:%d %s: %s" source.Path (i + 1) escape.Name code ]

/// The files a project compiles or embeds, resolved against the project's folder.
let private projectIncludes (project: string) =
    let dir = Path.GetDirectoryName(Repository.path project)

    Regex.Matches(File.ReadAllText(Repository.path project), @"Include=""([^""]+)""")
    |> Seq.map (fun m -> m.Groups[1].Value)
    |> Seq.filter (fun p -> p.Contains '/' || p.Contains '\\')
    |> Seq.map (fun p -> p, Path.GetFullPath(Path.Combine(dir, p.Replace('\\', Path.DirectorySeparatorChar))))
    |> Seq.toList

/// The repository files a source names literally: `Repository.path "a/b"` and `Path.Combine(root, "a", "b")`.
let private namedDataFiles (files: Source list) =
    let byPath = Regex(@"Repository\.path\s*\(?\s*""([^""]+)""")

    let byCombine =
        Regex(
            @"Path\.Combine\(\s*(?:Repository\.root|repoRoot \(\)|repo|root|CrdSchema\.repositoryRoot|repositoryRoot)\s*,((?:\s*""[^""]+""\s*,?)+)\)"
        )

    [ for source in files do
          for line in source.Lines do
              for m in byPath.Matches line do
                  yield source.Path, m.Groups[1].Value

              for m in byCombine.Matches line do
                  let parts =
                      Regex.Matches(m.Groups[1].Value, @"""([^""]+)""")
                      |> Seq.map (fun p -> p.Groups[1].Value)

                  yield source.Path, String.concat "/" parts ]
    |> List.distinct

let private exists (full: string) =
    File.Exists full || Directory.Exists full

[<Tests>]
let tests =
    testList
        "Isolation"
        [ test "no F# source of Specs/ or properties/ reaches outside the repository" {
              let found = findEscapes (fsSources ())

              if not found.IsEmpty then
                  failtestf
                      "a test may read only the repository (and KUBEBUILDER_ASSETS); these reach outside:\n%s"
                      (String.concat "\n" found)
          }

          test "the scan sees the sources: both suites, the reference reader among them" {
              let paths = fsSources () |> List.map _.Path
              Expect.contains paths "Specs/Render/Upstream.fs" "the upstream reference reader is scanned"
              Expect.isTrue (paths |> List.exists (fun p -> p.StartsWith "properties/")) "properties/ is scanned"
          }

          test "every file a test project compiles or embeds is inside the repository" {
              let outside =
                  [ "Specs/Specs.fsproj"
                    "properties/Properties.fsproj"
                    "properties/Benchmarks/Ztwim.Benchmarks.fsproj" ]
                  |> List.collect (fun project ->
                      projectIncludes project
                      |> List.filter (fun (_, full) -> not (Repository.contains full))
                      |> List.map (fun (p, _) -> sprintf "%s: %s" project p))

              Expect.isEmpty outside "project items outside the repository"
          }

          test "every test-data file the sources name exists inside the repository" {
              let named = namedDataFiles (fsSources ())
              Expect.isNonEmpty named "the sources name their data through Repository.path or the root"

              let missing =
                  named
                  |> List.filter (fun (_, p) ->
                      let full = Path.GetFullPath(Path.Combine(Repository.root, p))
                      not (Repository.contains full && exists full))
                  |> List.map (fun (source, p) -> sprintf "%s names %s" source p)

              Expect.isEmpty missing "named test data missing from the repository"
          }

          test "the upstream reference data is in the repository, with its README" {
              let dir = "Specs/Render/upstream-objects/01-manual"

              let missing =
                  [ "input.yaml"; "env.txt"; "objects.json"; "conditions.json" ]
                  |> List.map (fun f -> dir + "/" + f)
                  |> List.append [ "Specs/Render/upstream-objects/README.md" ]
                  |> List.filter (fun f -> not (File.Exists(Repository.path f)))

              Expect.isEmpty missing "reference files missing"
              Expect.equal Ztwim.Specs.Render.Upstream.referenceDir (Repository.path dir) "Upstream.fs reads it there"
          }

          test "Repository.path refuses a path that leaves the repository" {
              Expect.throws (fun () -> Repository.path "../shared" |> ignore) "../shared is outside"
              Expect.isTrue (Repository.contains (Repository.path "Specs")) "Specs is inside"
          } ]

/// The repository the tests run from, and the only way a test finds a file in it. Test data lives inside the
/// repository (a user's clone has nothing beside it); the only thing a test may reach outside it is the
/// control-plane binaries named by KUBEBUILDER_ASSETS. `IsolationSpecs` holds every source to that.
module Ztwim.Specs.Repository

open System
open System.IO

/// The repository root: the nearest folder above the test binaries holding Ztwim.sln and build.sh. The walk
/// stops there, so a file missing from the repository is never looked for in a folder beside or above it.
let root: string =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwithf "no repository root (Ztwim.sln and build.sh) above %s" AppContext.BaseDirectory
        elif
            File.Exists(Path.Combine(dir.FullName, "Ztwim.sln"))
            && File.Exists(Path.Combine(dir.FullName, "build.sh"))
        then
            dir.FullName
        else
            up dir.Parent

    up (DirectoryInfo AppContext.BaseDirectory)

/// Whether a path, once resolved, is the root or below it.
let contains (path: string) =
    let full = Path.GetFullPath path

    let rootWithSlash =
        Path.TrimEndingDirectorySeparator root + string Path.DirectorySeparatorChar

    full = Path.TrimEndingDirectorySeparator root
    || full.StartsWith(rootWithSlash, StringComparison.Ordinal)

/// A path inside the repository, given relative to its root with '/' separators; fails on one that leaves it.
let path (relative: string) : string =
    let full =
        Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)))

    if contains full then
        full
    else
        failwithf "%s leaves the repository (%s)" relative root

/// The operator's ClusterRole: no wildcard anywhere; every kind it writes (ResourceTypes, so a kind added there
/// fails here until the role grants it), the CRs and their status, Events, the Lease and discovery; and every
/// permission of the operands' roles the kernel renders, which Kubernetes requires the creator of a role to hold.
module Ztwim.Specs.Operator.RbacSpecs

open System
open System.IO
open Expecto
open Ztwim.Kernel
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Adapters.Cluster
open Ztwim.Adapters.Files
open Ztwim.Specs

let private repo = Repository.root

let private read (path: string) =
    match ManifestReader.Read(File.ReadAllText(Path.Combine(repo, path))) with
    | Ok docs -> docs
    | Error e -> failwithf "%s: %s" path e

let private strings (j: Json) (name: string) =
    j.Items(name) |> Seq.choose (fun v -> Option.ofObj (v.Str())) |> List.ofSeq

type private Rule =
    { Groups: string list
      Resources: string list
      Verbs: string list
      Names: string list
      Urls: string list }

let private rulesOf (role: Json) =
    role.Items("rules")
    |> Seq.map (fun r ->
        { Groups = strings r "apiGroups"
          Resources = strings r "resources"
          Verbs = strings r "verbs"
          Names = strings r "resourceNames"
          Urls = strings r "nonResourceURLs" })
    |> List.ofSeq

let private role = read "manifests/operator/cluster_role.yaml" |> List.exactlyOne
let private rules = rulesOf role

let private allows group resource verb =
    rules
    |> List.exists (fun r ->
        List.contains group r.Groups
        && List.contains resource r.Resources
        && List.contains verb r.Verbs
        && r.Names.IsEmpty)

let private expectAllowed group resource (verbs: string list) =
    for verb in verbs do
        Expect.isTrue (allows group resource verb) $"the ClusterRole lets the operator {verb} {group}/{resource}"

let private writeVerbs =
    [ "get"; "list"; "watch"; "create"; "update"; "patch"; "delete" ]

// The roles the kernel renders for the manual's CRs, on both platforms.
let private operandRoles =
    let crs =
        [ "ztwim"
          "spire-server-federation-acme"
          "spire-agent"
          "spiffe-csi-driver"
          "spire-oidc-discovery-provider" ]
        |> List.collect (fun f -> read $"manifests/samples/{f}.yaml")
        |> List.map (fun j ->
            match Crs.parse j with
            | Ok r -> r
            | Error e -> failwithf "sample rejected: %A" e)
        |> Operands.ofResources

    [ Platform.OpenShift; Platform.Kubernetes ]
    |> List.collect (fun p ->
        Operands.desired crs (Mode.ofEnvironment p Map.empty)
        |> DesiredObject.manifests
        |> List.map (fun (_, o) -> p, o))
    |> List.filter (fun (_, o) -> o.Str("kind") = "ClusterRole" || o.Str("kind") = "Role")

[<Tests>]
let tests =
    testList
        "Operator RBAC"
        [ test "no wildcard anywhere in the ClusterRole" {
              let text =
                  File.ReadAllText(Path.Combine(repo, "manifests/operator/cluster_role.yaml"))

              Expect.isFalse (text.Contains '*') "no * in the file"

              for r in rules do
                  for v in r.Groups @ r.Resources @ r.Verbs @ r.Urls do
                      Expect.isFalse (v.Contains '*') $"no wildcard: {v}"
          }

          testList
              "every kind the operator writes"
              [ for t in ResourceTypes.Owned ->
                    test $"{t.ApiVersion} {t.Kind}" { expectAllowed t.Group t.Plural writeVerbs } ]

          testList
              "the five CRs and their status"
              [ for t in ResourceTypes.OperatorCrs ->
                    test t.Kind {
                        expectAllowed t.Group t.Plural [ "get"; "list"; "watch"; "update"; "patch" ]
                        expectAllowed t.Group $"{t.Plural}/status" [ "get"; "update"; "patch" ]
                        Expect.isFalse (allows t.Group t.Plural "create") "users create the CRs, not the operator"
                        Expect.isFalse (allows t.Group t.Plural "delete") "users delete the CRs, not the operator"
                    } ]

          test "secure metrics: TokenReviews and SubjectAccessReviews" {
              expectAllowed "authentication.k8s.io" "tokenreviews" [ "create" ]
              expectAllowed "authorization.k8s.io" "subjectaccessreviews" [ "create" ]
          }

          test "Events, the leader Lease and discovery" {
              expectAllowed "" "events" [ "create" ]
              expectAllowed "coordination.k8s.io" "leases" [ "get"; "create"; "update" ]

              Expect.isTrue
                  (rules
                   |> List.exists (fun r -> List.contains "/apis" r.Urls && List.contains "get" r.Verbs))
                  "GET /apis"
          }

          test "nothing the operator never uses: no access to workloads' pods beyond reading, no CR creation" {
              for verb in [ "create"; "update"; "patch"; "delete" ] do
                  Expect.isFalse (allows "" "pods" verb) $"no {verb} on pods"
                  Expect.isFalse (allows "" "nodes" verb) $"no {verb} on nodes"
          }

          test "the kernel renders operand roles for the samples" {
              Expect.isGreaterThanOrEqual operandRoles.Length 4 "roles rendered"
          }

          testList
              "every permission of the operands' roles (no escalation needed)"
              [ for p, r in operandRoles ->
                    test $"""{p} {r.Str("kind")} {r.Meta("name")}""" {
                        for rule in rulesOf r do
                            if rule.Urls.IsEmpty then
                                for g in rule.Groups do
                                    for res in rule.Resources do
                                        expectAllowed g res rule.Verbs
                            else
                                for u in rule.Urls do
                                    Expect.isTrue
                                        (rules |> List.exists (fun o -> List.contains u o.Urls))
                                        $"non-resource URL {u}"
                    } ] ]

namespace Ztwim.Kernel.Api

open System
open System.Globalization
open System.Text.RegularExpressions
open Ztwim.Kernel

[<RequireQualifiedAccess>]
type ConditionStatus =
    | True
    | False
    | Unknown

/// metav1.Condition: the status conditions every kind reports.
type Condition =
    { Type: string
      Status: ConditionStatus
      Reason: string
      Message: string
      LastTransitionTime: DateTimeOffset
      ObservedGeneration: int64 option }

/// Reading and printing conditions with metav1.Condition's schema rules.
[<RequireQualifiedAccess>]
module Condition =

    let typePattern =
        "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"

    let reasonPattern = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"

    let statuses =
        [ "True", ConditionStatus.True
          "False", ConditionStatus.False
          "Unknown", ConditionStatus.Unknown ]

    // \z, not $: in .NET, $ also matches before a final newline.
    let private rfc3339 =
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})\\z"

    /// An RFC 3339 timestamp, as metav1.Time reads it. Fractions beyond .NET's 100 ns ticks are cut, not
    /// rounded (.NET would round .999999999 up to the next second; Go keeps the second).
    let parseTime (s: string) : Result<DateTimeOffset, string> =
        let ticks = Regex.Replace(s, "(\\.[0-9]{7})[0-9]+", "$1")

        match
            Read.matches rfc3339 s,
            DateTimeOffset.TryParse(ticks, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
        with
        | true, (true, t) -> Ok t
        | _ -> Error "must be an RFC 3339 date-time such as 2026-01-02T15:04:05Z"

    /// A timestamp as metav1.Time writes it: UTC, whole seconds.
    let printTime (t: DateTimeOffset) =
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)

    let read (n: Node) : Validated<Condition> =
        let at name = Read.field name n

        // A value that is not an object reports only that: its members are not looked at.
        Read.object n
        |> Read.required n
        |> Result.bind (fun _ ->
            validated {
                let! kind =
                    Read.string (at "type")
                    |> Read.maxLength (at "type") 316
                    |> Read.pattern (at "type") typePattern
                    |> Read.required (at "type")

                and! status =
                    Read.string (at "status")
                    |> Read.enum (at "status") statuses
                    |> Read.required (at "status")

                and! reason =
                    Read.string (at "reason")
                    |> Read.minLength (at "reason") 1
                    |> Read.maxLength (at "reason") 1024
                    |> Read.pattern (at "reason") reasonPattern
                    |> Read.required (at "reason")

                and! message =
                    Read.string (at "message")
                    |> Read.maxLength (at "message") 32768
                    |> Read.required (at "message")

                and! time =
                    Read.string (at "lastTransitionTime")
                    |> Read.parseWith (at "lastTransitionTime") parseTime
                    |> Read.required (at "lastTransitionTime")

                and! generation =
                    Read.integer (at "observedGeneration")
                    |> Read.atLeast (at "observedGeneration") 0L

                return
                    { Type = kind
                      Status = status
                      Reason = reason
                      Message = message
                      LastTransitionTime = time
                      ObservedGeneration = generation }
            })

    /// A list keyed by a member (x-kubernetes-list-type: map): each key at most once.
    let uniqueBy (n: Node) (keyName: string) (key: 'a -> string) (items: 'a list) =
        items
        |> List.mapi (fun i x -> i, key x)
        |> List.filter (fun (i, k) -> items |> List.take i |> List.exists (fun y -> key y = k))
        |> List.map (fun (i, k) ->
            FieldError.admission
                (sprintf "%s[%d].%s" n.Path i keyName)
                "must be unique in the list"
                (Some(Json.String k)))

    /// A `conditions` list: conditions keyed by type.
    let readList (n: Node) : Validated<Condition list> =
        Read.items n
        |> Result.bind (List.map read >> Validated.sequence)
        |> Validated.check (uniqueBy n "type" _.Type)

    let print (c: Condition) =
        Json.objOpt
            [ "type", Some(Json.String c.Type)
              "status", Some(Json.String(Scalars.spell statuses c.Status))
              "reason", Some(Json.String c.Reason)
              "message", Some(Json.String c.Message)
              "lastTransitionTime", Some(Json.String(printTime c.LastTransitionTime))
              "observedGeneration", c.ObservedGeneration |> Option.map (decimal >> Json.Number) ]
